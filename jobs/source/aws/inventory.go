package aws

import (
	"context"
	"sort"
	"strings"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/cwreport/cwreport/jobs/source"
)

// Tags that place an instance in a group.
const (
	tagName      = "Name"
	tagASG       = "aws:autoscaling:groupName"
	tagNodeGroup = "eks:nodegroup-name"
	tagCluster   = "eks:cluster-name"
)

// inventory reads the instances (paginated), keeps the scoped ones and
// records them in the dataset. The scope's ids and exact tags go to EC2 as
// filters, so a narrow scope reads few pages; Scope.Matches then applies the
// whole scope (name globs included) on our side.
func (r *run) inventory(ctx context.Context) {
	in := &ec2.DescribeInstancesInput{MaxResults: sdkaws.Int32(1000)}
	scope := r.req.Scope
	if len(scope.InstanceIDs) > 0 {
		// EC2 rejects MaxResults together with InstanceIds.
		in.InstanceIds = scope.InstanceIDs
		in.MaxResults = nil
	}
	keys := make([]string, 0, len(scope.Tags))
	for k := range scope.Tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if v := scope.Tags[k]; v == "*" {
			in.Filters = append(in.Filters, ec2types.Filter{Name: sdkaws.String("tag-key"), Values: []string{k}})
		} else {
			in.Filters = append(in.Filters, ec2types.Filter{Name: sdkaws.String("tag:" + k), Values: []string{v}})
		}
	}
	var out []source.Instance
	for page := 1; ; page++ {
		resp, err := r.s.clients.ec2.DescribeInstances(ctx, in)
		if err != nil {
			r.inventoryFailed = true
			r.fail("instances", err)
			return
		}
		for _, res := range resp.Reservations {
			for _, i := range res.Instances {
				inst := instanceFrom(i)
				if inst.State == "terminated" || !scope.Matches(inst) {
					continue
				}
				out = append(out, inst)
			}
		}
		r.progress("inventory", page, page)
		if resp.NextToken == nil || *resp.NextToken == "" {
			break
		}
		in.NextToken = resp.NextToken
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	r.instances = out
	r.mu.Lock()
	r.ds.Instances = out
	r.mu.Unlock()
}

func instanceFrom(i ec2types.Instance) source.Instance {
	inst := source.Instance{
		ID:         sdkaws.ToString(i.InstanceId),
		Type:       string(i.InstanceType),
		LaunchTime: sdkaws.ToTime(i.LaunchTime).UTC(),
		VPCID:      sdkaws.ToString(i.VpcId),
		SubnetID:   sdkaws.ToString(i.SubnetId),
		PrivateIP:  sdkaws.ToString(i.PrivateIpAddress),
		PublicIP:   sdkaws.ToString(i.PublicIpAddress),
		Platform:   "linux",
	}
	if i.State != nil {
		inst.State = string(i.State.Name)
	}
	if i.Placement != nil {
		inst.AvailabilityZone = sdkaws.ToString(i.Placement.AvailabilityZone)
	}
	// DescribeInstances says "windows" (the SDK's enum spells "Windows").
	if strings.EqualFold(string(i.Platform), "windows") || strings.HasPrefix(sdkaws.ToString(i.PlatformDetails), "Windows") {
		inst.Platform = "windows"
	}
	for _, g := range i.SecurityGroups {
		inst.SecurityGroupIDs = append(inst.SecurityGroupIDs, sdkaws.ToString(g.GroupId))
	}
	if len(i.Tags) > 0 {
		inst.Tags = make(map[string]string, len(i.Tags))
		for _, t := range i.Tags {
			inst.Tags[sdkaws.ToString(t.Key)] = sdkaws.ToString(t.Value)
		}
		inst.Name = inst.Tags[tagName]
		inst.AutoScalingGroup = inst.Tags[tagASG]
		inst.NodeGroup = inst.Tags[tagNodeGroup]
		inst.Cluster = inst.Tags[tagCluster]
	}
	return inst
}

// network reads security groups, VPCs, flow logs and network ACLs. Each is
// its own part: one failing leaves the others.
func (r *run) network(ctx context.Context) {
	r.securityGroups(ctx)
	r.vpcs(ctx)
	r.flowLogs(ctx)
	r.networkACLs(ctx)
}

func (r *run) securityGroups(ctx context.Context) {
	attached := map[string][]string{}
	for _, in := range r.instances {
		for _, g := range in.SecurityGroupIDs {
			attached[g] = append(attached[g], in.ID)
		}
	}
	in := &ec2.DescribeSecurityGroupsInput{MaxResults: sdkaws.Int32(1000)}
	var out []source.SecurityGroup
	for {
		resp, err := r.s.clients.ec2.DescribeSecurityGroups(ctx, in)
		if err != nil {
			r.fail("security_groups", err)
			return
		}
		for _, g := range resp.SecurityGroups {
			sg := source.SecurityGroup{
				ID:          sdkaws.ToString(g.GroupId),
				Name:        sdkaws.ToString(g.GroupName),
				VPCID:       sdkaws.ToString(g.VpcId),
				Description: sdkaws.ToString(g.Description),
				Ingress:     sgRules(g.IpPermissions),
				Egress:      sgRules(g.IpPermissionsEgress),
			}
			sg.AttachedTo = attached[sg.ID]
			out = append(out, sg)
		}
		if resp.NextToken == nil || *resp.NextToken == "" {
			break
		}
		in.NextToken = resp.NextToken
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	r.mu.Lock()
	r.ds.SecurityGroups = out
	r.mu.Unlock()
}

// sgRules converts permissions; a missing port (all traffic, ICMP all) is -1.
func sgRules(ps []ec2types.IpPermission) []source.SGRule {
	out := make([]source.SGRule, 0, len(ps))
	for _, p := range ps {
		rule := source.SGRule{
			Protocol: sdkaws.ToString(p.IpProtocol),
			FromPort: -1,
			ToPort:   -1,
		}
		if p.FromPort != nil {
			rule.FromPort = *p.FromPort
		}
		if p.ToPort != nil {
			rule.ToPort = *p.ToPort
		}
		desc := func(d *string) {
			if rule.Description == "" {
				rule.Description = sdkaws.ToString(d)
			}
		}
		for _, rg := range p.IpRanges {
			rule.CIDRs = append(rule.CIDRs, sdkaws.ToString(rg.CidrIp))
			desc(rg.Description)
		}
		for _, rg := range p.Ipv6Ranges {
			rule.IPv6CIDRs = append(rule.IPv6CIDRs, sdkaws.ToString(rg.CidrIpv6))
			desc(rg.Description)
		}
		for _, g := range p.UserIdGroupPairs {
			rule.SourceGroups = append(rule.SourceGroups, sdkaws.ToString(g.GroupId))
			desc(g.Description)
		}
		for _, pl := range p.PrefixListIds {
			rule.PrefixLists = append(rule.PrefixLists, sdkaws.ToString(pl.PrefixListId))
			desc(pl.Description)
		}
		out = append(out, rule)
	}
	return out
}

func (r *run) vpcs(ctx context.Context) {
	in := &ec2.DescribeVpcsInput{MaxResults: sdkaws.Int32(1000)}
	var out []source.VPC
	for {
		resp, err := r.s.clients.ec2.DescribeVpcs(ctx, in)
		if err != nil {
			r.fail("vpcs", err)
			return
		}
		for _, v := range resp.Vpcs {
			vpc := source.VPC{ID: sdkaws.ToString(v.VpcId), CIDR: sdkaws.ToString(v.CidrBlock), IsDefault: sdkaws.ToBool(v.IsDefault)}
			for _, t := range v.Tags {
				if sdkaws.ToString(t.Key) == tagName {
					vpc.Name = sdkaws.ToString(t.Value)
				}
			}
			out = append(out, vpc)
		}
		if resp.NextToken == nil || *resp.NextToken == "" {
			break
		}
		in.NextToken = resp.NextToken
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	r.mu.Lock()
	r.ds.VPCs = out
	r.mu.Unlock()
}

func (r *run) flowLogs(ctx context.Context) {
	in := &ec2.DescribeFlowLogsInput{MaxResults: sdkaws.Int32(1000)}
	out := []source.FlowLog{}
	for {
		resp, err := r.s.clients.ec2.DescribeFlowLogs(ctx, in)
		if err != nil {
			r.fail("flow_logs", err)
			return
		}
		for _, f := range resp.FlowLogs {
			dest := sdkaws.ToString(f.LogDestination)
			if dest == "" {
				dest = sdkaws.ToString(f.LogGroupName)
			}
			out = append(out, source.FlowLog{
				ID:          sdkaws.ToString(f.FlowLogId),
				ResourceID:  sdkaws.ToString(f.ResourceId),
				Status:      sdkaws.ToString(f.FlowLogStatus),
				TrafficType: string(f.TrafficType),
				Destination: dest,
			})
		}
		if resp.NextToken == nil || *resp.NextToken == "" {
			break
		}
		in.NextToken = resp.NextToken
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	r.mu.Lock()
	r.ds.FlowLogs = out
	r.mu.Unlock()
}

func (r *run) networkACLs(ctx context.Context) {
	in := &ec2.DescribeNetworkAclsInput{MaxResults: sdkaws.Int32(1000)}
	var out []source.NetworkACL
	for {
		resp, err := r.s.clients.ec2.DescribeNetworkAcls(ctx, in)
		if err != nil {
			r.fail("network_acls", err)
			return
		}
		for _, a := range resp.NetworkAcls {
			acl := source.NetworkACL{ID: sdkaws.ToString(a.NetworkAclId), VPCID: sdkaws.ToString(a.VpcId), IsDefault: sdkaws.ToBool(a.IsDefault), Entries: []source.ACLEntry{}}
			for _, e := range a.Entries {
				entry := source.ACLEntry{
					RuleNumber: sdkaws.ToInt32(e.RuleNumber),
					Egress:     sdkaws.ToBool(e.Egress),
					Protocol:   sdkaws.ToString(e.Protocol),
					CIDR:       sdkaws.ToString(e.CidrBlock),
					IPv6CIDR:   sdkaws.ToString(e.Ipv6CidrBlock),
					Action:     string(e.RuleAction),
				}
				if e.PortRange != nil {
					entry.FromPort = sdkaws.ToInt32(e.PortRange.From)
					entry.ToPort = sdkaws.ToInt32(e.PortRange.To)
				}
				acl.Entries = append(acl.Entries, entry)
			}
			sort.Slice(acl.Entries, func(i, j int) bool {
				if acl.Entries[i].Egress != acl.Entries[j].Egress {
					return !acl.Entries[i].Egress
				}
				return acl.Entries[i].RuleNumber < acl.Entries[j].RuleNumber
			})
			out = append(out, acl)
		}
		if resp.NextToken == nil || *resp.NextToken == "" {
			break
		}
		in.NextToken = resp.NextToken
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	r.mu.Lock()
	r.ds.NetworkACLs = out
	r.mu.Unlock()
}
