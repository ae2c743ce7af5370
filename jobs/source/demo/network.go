package demo

import (
	"fmt"
	"sort"

	"github.com/cwreport/cwreport/jobs/source"
)

// The network of the demo account: three VPCs, their subnets, security
// groups, network ACLs and flow logs. The security report finds here: the
// world-open SSH on the bastion, 8888 open to IPv4 and IPv6 on jupyter, a
// default security group in use, a NACL allowing 22 and 3389 from anywhere,
// and two VPCs without flow logs.

type vpcDef struct {
	key, name, cidr string
	isDefault       bool
	flowLogs        bool
}

func (v vpcDef) id() string { return awsID("vpc", v.key) }

type subnetDef struct {
	key, vpc, az string
	a, b, c      int // first three octets
}

func (s subnetDef) id() string { return awsID("subnet", s.key) }

// host returns the n-th address in the subnet (n < 250 in a /24; larger
// subnets carry into the next octet).
func (s subnetDef) host(n int) string {
	return fmt.Sprintf("%d.%d.%d.%d", s.a, s.b, s.c+n/250, n%250+4)
}

var vpcs = []vpcDef{
	{key: "dmz", name: "DMZVPC", cidr: "10.11.0.0/16"},
	{key: "app", name: "AppVPC", cidr: "10.20.0.0/16", flowLogs: true},
	{key: "default", cidr: "172.31.0.0/16", isDefault: true},
}

var vpcByKey = func() map[string]vpcDef {
	m := map[string]vpcDef{}
	for _, v := range vpcs {
		m[v.key] = v
	}
	return m
}()

var subnets = []subnetDef{
	{key: "dmz-public-2a", vpc: "dmz", az: "a", a: 10, b: 11, c: 0},
	{key: "dmz-private-2a", vpc: "dmz", az: "a", a: 10, b: 11, c: 20},
	{key: "app-private-2a", vpc: "app", az: "a", a: 10, b: 20, c: 1},
	{key: "app-private-2c", vpc: "app", az: "c", a: 10, b: 20, c: 2},
	{key: "data-2a", vpc: "app", az: "a", a: 10, b: 20, c: 10},
	{key: "eks-2a", vpc: "app", az: "a", a: 10, b: 20, c: 32},
	{key: "eks-2c", vpc: "app", az: "c", a: 10, b: 20, c: 48},
	{key: "default-2a", vpc: "default", az: "a", a: 172, b: 31, c: 0},
	{key: "default-2c", vpc: "default", az: "c", a: 172, b: 31, c: 16},
}

var subnetByKey = func() map[string]subnetDef {
	m := map[string]subnetDef{}
	for _, s := range subnets {
		m[s.key] = s
	}
	return m
}()

// sgID is the id of security group name in VPC vpc ("default" exists in
// every VPC, so the VPC is part of the identity).
func sgID(vpc, name string) string { return awsID("sg", vpc+"/"+name) }

type sgDef struct {
	name, vpc, desc string
	ingress         []source.SGRule // SourceGroups hold group names here
}

var (
	anyV4     = []string{"0.0.0.0/0"}
	allEgress = []source.SGRule{{Protocol: "-1", FromPort: -1, ToPort: -1, CIDRs: anyV4}}
)

func tcp(port int32, cidrs ...string) source.SGRule {
	return source.SGRule{Protocol: "tcp", FromPort: port, ToPort: port, CIDRs: cidrs}
}

func tcpFrom(port int32, group string) source.SGRule {
	return source.SGRule{Protocol: "tcp", FromPort: port, ToPort: port, SourceGroups: []string{group}}
}

var securityGroups = []sgDef{
	{name: "sg-web", vpc: "app", desc: "public web servers behind the ALB", ingress: []source.SGRule{
		tcp(80, anyV4...), tcp(443, anyV4...)}},
	{name: "sg-app", vpc: "app", desc: "application tier", ingress: []source.SGRule{
		tcpFrom(8080, "sg-web"), tcp(8443, "10.20.0.0/16")}},
	{name: "sg-db", vpc: "app", desc: "PostgreSQL, from the application tier only", ingress: []source.SGRule{
		tcpFrom(5432, "sg-app")}},
	{name: "sg-internal", vpc: "app", desc: "batch, CI and kafka", ingress: []source.SGRule{
		tcp(22, "10.11.0.0/24"), tcp(9092, "10.20.0.0/16")}},
	{name: "sg-eks-nodes", vpc: "app", desc: "EKS worker nodes", ingress: []source.SGRule{
		{Protocol: "-1", FromPort: -1, ToPort: -1, SourceGroups: []string{"sg-eks-nodes"}},
		tcp(443, "10.20.0.0/16"), tcp(10250, "10.20.0.0/16")}},
	{name: "sg-bastion", vpc: "dmz", desc: "SSH bastion", ingress: []source.SGRule{
		{Protocol: "tcp", FromPort: 22, ToPort: 22, CIDRs: anyV4, Description: "temporary - remove after migration"}}},
	{name: "sg-dmz-proxy", vpc: "dmz", desc: "reverse proxy in the DMZ", ingress: []source.SGRule{
		tcp(443, "10.11.0.0/16"), tcp(80, "10.11.0.0/16")}},
	{name: "sg-jupyter", vpc: "default", desc: "launch-wizard-3", ingress: []source.SGRule{
		{Protocol: "tcp", FromPort: 8888, ToPort: 8888, CIDRs: anyV4, IPv6CIDRs: []string{"::/0"}},
		tcp(22, "211.234.10.0/24")}},
}

// network fills security groups, VPCs, flow logs and network ACLs. They are
// account-wide: the scope does not narrow them, but AttachedTo lists only
// instances of the whole fleet, in fleet order.
func network(ds *source.Dataset) {
	attached := map[string][]string{}
	for _, h := range fleet {
		vpc := subnetByKey[h.subnet].vpc
		for _, g := range h.sgs {
			id := sgID(vpc, g)
			attached[id] = append(attached[id], h.id)
		}
	}
	resolve := func(vpc string, rules []source.SGRule) []source.SGRule {
		out := make([]source.SGRule, len(rules))
		for i, r := range rules {
			out[i] = r
			if len(r.SourceGroups) > 0 {
				out[i].SourceGroups = nil
				for _, g := range r.SourceGroups {
					out[i].SourceGroups = append(out[i].SourceGroups, sgID(vpc, g))
				}
			}
		}
		return out
	}
	var sgs []source.SecurityGroup
	for _, v := range vpcs {
		id := sgID(v.key, "default")
		sgs = append(sgs, source.SecurityGroup{ID: id, Name: "default", VPCID: v.id(),
			Description: "default VPC security group",
			Ingress:     []source.SGRule{{Protocol: "-1", FromPort: -1, ToPort: -1, SourceGroups: []string{id}}},
			Egress:      resolve(v.key, allEgress), AttachedTo: attached[id]})
	}
	for _, g := range securityGroups {
		id := sgID(g.vpc, g.name)
		egress := allEgress
		if g.name == "sg-jupyter" {
			egress = []source.SGRule{{Protocol: "-1", FromPort: -1, ToPort: -1, CIDRs: anyV4, IPv6CIDRs: []string{"::/0"}}}
		}
		sgs = append(sgs, source.SecurityGroup{ID: id, Name: g.name, VPCID: vpcByKey[g.vpc].id(), Description: g.desc,
			Ingress: resolve(g.vpc, g.ingress), Egress: resolve(g.vpc, egress), AttachedTo: attached[id]})
	}
	sort.SliceStable(sgs, func(i, j int) bool { return sgs[i].ID < sgs[j].ID })
	ds.SecurityGroups = sgs

	for _, v := range vpcs {
		ds.VPCs = append(ds.VPCs, source.VPC{ID: v.id(), Name: v.name, CIDR: v.cidr, IsDefault: v.isDefault})
		if v.flowLogs {
			ds.FlowLogs = append(ds.FlowLogs, source.FlowLog{ID: awsID("fl", v.key), ResourceID: v.id(),
				Status: "ACTIVE", TrafficType: "ALL", Destination: "arn:aws:s3:::demo-ops-vpc-flow-logs/" + v.name + "/"})
		}
		ds.NetworkACLs = append(ds.NetworkACLs, source.NetworkACL{ID: awsID("acl", v.key), VPCID: v.id(),
			IsDefault: true, Entries: defaultACL()})
	}
	// The DMZ's public subnet has its own NACL, opened for SSH and RDP from
	// anywhere "for a weekend" (CIS 5.1).
	ds.NetworkACLs = append(ds.NetworkACLs, source.NetworkACL{ID: awsID("acl", "dmz-public"), VPCID: vpcByKey["dmz"].id(),
		Entries: []source.ACLEntry{
			{RuleNumber: 100, Protocol: "6", CIDR: "0.0.0.0/0", FromPort: 22, ToPort: 22, Action: "allow"},
			{RuleNumber: 110, Protocol: "6", CIDR: "0.0.0.0/0", FromPort: 3389, ToPort: 3389, Action: "allow"},
			{RuleNumber: 120, Protocol: "6", CIDR: "0.0.0.0/0", FromPort: 443, ToPort: 443, Action: "allow"},
			{RuleNumber: 130, Protocol: "6", CIDR: "0.0.0.0/0", FromPort: 1024, ToPort: 65535, Action: "allow"},
			{RuleNumber: 32767, Protocol: "-1", CIDR: "0.0.0.0/0", Action: "deny"},
			{RuleNumber: 100, Egress: true, Protocol: "-1", CIDR: "0.0.0.0/0", Action: "allow"},
			{RuleNumber: 32767, Egress: true, Protocol: "-1", CIDR: "0.0.0.0/0", Action: "deny"},
		}})
}

// defaultACL is the rule set AWS gives a VPC's default network ACL.
func defaultACL() []source.ACLEntry {
	return []source.ACLEntry{
		{RuleNumber: 100, Protocol: "-1", CIDR: "0.0.0.0/0", Action: "allow"},
		{RuleNumber: 32767, Protocol: "-1", CIDR: "0.0.0.0/0", Action: "deny"},
		{RuleNumber: 100, Egress: true, Protocol: "-1", CIDR: "0.0.0.0/0", Action: "allow"},
		{RuleNumber: 32767, Egress: true, Protocol: "-1", CIDR: "0.0.0.0/0", Action: "deny"},
	}
}
