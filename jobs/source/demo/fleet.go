package demo

import (
	"fmt"
	"time"

	"github.com/cwreport/cwreport/jobs/source"
)

// host is one EC2 instance of the demo account: its inventory and the role
// that decides how its metrics behave (see metrics.go).
type host struct {
	name   string
	typ    string
	role   string
	subnet string   // subnet key (network.go)
	sgs    []string // security group names (network.go)
	public string   // public IPv4, empty for private instances
	tags   map[string]string
	asg    string
	// cluster and nodegroup are set on EKS worker nodes.
	cluster, nodegroup string
	// age is how long before At the instance was launched.
	age time.Duration
	// mem says whether the CloudWatch agent publishes mem_used_percent.
	mem bool
	// disks are the file systems the agent reports disk_used_percent for.
	disks []disk

	id, ip string
}

// disk is one file system reported by the CloudWatch agent.
type disk struct{ path, device, fstype string }

// Roles: how an instance's metrics behave.
const (
	roleWeb     = "web"
	roleEKS     = "eks"
	roleDB      = "db"
	roleDMZ     = "dmz"
	roleBastion = "bastion"
	roleBatch   = "batch"
	roleOrder   = "order"
	roleLegacy  = "legacy"
	roleJenkins = "jenkins"
	roleAPIGW   = "apigw"
	roleJupyter = "jupyter"
	roleKafka   = "kafka"
)

const (
	accountID    = "123456789012"
	accountAlias = "demo-ops"
	region       = "ap-northeast-2"

	dmzName     = "DMZVPC-Private-A-10.11.20.101"
	eksCluster  = "eksworkshop"
	eksNodeASG  = "eks-ng-general-4ec5a3b2-9d1f-7e21-b2a4-5f3c8d9e0a1b"
	webASG      = "web-prod-asg"
	orderASG    = "order-api-asg"
	eksNodegrp  = "ng-general"
	orderDeploy = "v2.14.1"
)

// fleet is the inventory, in a fixed order (the order of the dataset).
var fleet = buildFleet()

// hostByName indexes fleet.
var hostByName = func() map[string]*host {
	m := make(map[string]*host, len(fleet))
	for _, h := range fleet {
		m[h.name] = h
	}
	return m
}()

func buildFleet() []*host {
	var hs []*host
	add := func(h *host) { hs = append(hs, h) }
	az := func(i int) string { // alternate 2a and 2c
		if i%2 == 1 {
			return "a"
		}
		return "c"
	}
	for i := 1; i <= 12; i++ {
		add(&host{name: fmt.Sprintf("web-prod-%02d", i), typ: "t3.small", role: roleWeb,
			subnet: "app-private-2" + az(i), sgs: []string{"sg-web"}, asg: webASG, age: 210 * day,
			mem:  i <= 6,
			tags: map[string]string{"Environment": "prod", "Team": "web", "Service": "web-frontend"}})
	}
	for i := 1; i <= 8; i++ {
		add(&host{name: fmt.Sprintf("eks-node-%02d", i), typ: "m6i.xlarge", role: roleEKS,
			subnet: "eks-2" + az(i), sgs: []string{"sg-eks-nodes"}, asg: eksNodeASG,
			cluster: eksCluster, nodegroup: eksNodegrp, age: 45*day + time.Duration(i)*time.Hour, mem: true,
			disks: []disk{{"/", "nvme0n1p1", "xfs"}},
			tags: map[string]string{"Environment": "prod", "Team": "platform",
				"kubernetes.io/cluster/" + eksCluster: "owned"}})
	}
	add(&host{name: "db-primary-01", typ: "r6i.2xlarge", role: roleDB, subnet: "data-2a",
		sgs: []string{"sg-db"}, age: 400 * day, mem: true,
		disks: []disk{{"/", "nvme0n1p1", "xfs"}, {"/data", "nvme1n1", "xfs"}, {"/var/log", "nvme2n1", "xfs"}},
		tags:  map[string]string{"Environment": "prod", "Team": "data", "Service": "postgres", "Backup": "daily"}})
	add(&host{name: dmzName, typ: "t3.medium", role: roleDMZ, subnet: "dmz-private-2a",
		sgs: []string{"sg-dmz-proxy"}, age: 300 * day,
		tags: map[string]string{"Environment": "prod", "Team": "network", "Service": "reverse-proxy"}})
	add(&host{name: "bastion-01", typ: "t3.micro", role: roleBastion, subnet: "dmz-public-2a",
		sgs: []string{"sg-bastion"}, public: "3.35.142.87", age: 500 * day,
		tags: map[string]string{"Environment": "prod", "Team": "platform", "Service": "bastion"}})
	for i := 1; i <= 4; i++ {
		add(&host{name: fmt.Sprintf("batch-worker-%02d", i), typ: "c6i.large", role: roleBatch,
			subnet: "app-private-2" + az(i), sgs: []string{"sg-internal"}, age: 120 * day,
			tags: map[string]string{"Environment": "prod", "Team": "data", "Service": "nightly-batch"}})
	}
	for i := 1; i <= 3; i++ {
		add(&host{name: fmt.Sprintf("order-api-%02d", i), typ: "m6i.large", role: roleOrder,
			subnet: "app-private-2" + az(i), sgs: []string{"sg-app"}, asg: orderASG, age: 60*day + time.Duration(i)*3*time.Minute,
			tags: map[string]string{"Environment": "prod", "Team": "order", "Service": "order-api"}})
	}
	add(&host{name: "legacy-reporting-01", typ: "m5.large", role: roleLegacy, subnet: "app-private-2a",
		sgs: []string{"default"}, age: 900 * day,
		// A hostile tag value, as real accounts have: renderers must escape it.
		tags: map[string]string{"Environment": "prod", "Team": "data", "Service": "reporting", "Owner": "unknown",
			"Description": "legacy | do not `touch` <b>ask first</b> *EOL*"}})
	for i := 1; i <= 2; i++ {
		add(&host{name: fmt.Sprintf("jenkins-agent-%02d", i), typ: "m5.xlarge", role: roleJenkins,
			subnet: "app-private-2" + az(i), sgs: []string{"sg-internal"}, age: 250 * day,
			tags: map[string]string{"Environment": "dev", "Team": "platform", "Service": "ci"}})
	}
	add(&host{name: "api-gateway-01", typ: "c6i.large", role: roleAPIGW, subnet: "app-private-2c",
		sgs: []string{"sg-app"}, age: 180 * day,
		tags: map[string]string{"Environment": "prod", "Team": "platform", "Service": "api-gateway"}})
	add(&host{name: "jupyter-01", typ: "t3.large", role: roleJupyter, subnet: "default-2a",
		sgs: []string{"sg-jupyter"}, public: "13.125.48.201", age: 35 * day,
		tags: map[string]string{"Environment": "dev", "Team": "data", "Service": "notebook", "Owner": "kim.minsu"}})
	for i := 1; i <= 3; i++ {
		add(&host{name: fmt.Sprintf("kafka-%02d", i), typ: "m6i.large", role: roleKafka,
			subnet: "app-private-2" + az(i), sgs: []string{"sg-internal"}, age: 330 * day, mem: true,
			tags: map[string]string{"Environment": "prod", "Team": "platform", "Service": "kafka"}})
	}

	used := map[string]int{}
	for _, h := range hs {
		h.id = awsID("i", h.name)
		h.tags["Name"] = h.name
		if h.asg != "" {
			h.tags["aws:autoscaling:groupName"] = h.asg
		}
		if h.cluster != "" {
			h.tags["eks:cluster-name"] = h.cluster
			h.tags["eks:nodegroup-name"] = h.nodegroup
		}
		sn := subnetByKey[h.subnet]
		if h.role == roleDMZ {
			h.ip = "10.11.20.101" // the name says so
		} else {
			k := used[h.subnet]
			used[h.subnet]++
			h.ip = sn.host(10 + 7*k + int(seedOf(h.name)%5))
		}
	}
	return hs
}

// awsID is a stable, realistic resource id: prefix-0 and 16 hex digits
// derived from the resource's name.
func awsID(prefix, name string) string {
	return fmt.Sprintf("%s-0%016x", prefix, seedOf(prefix+"/"+name))[:len(prefix)+18]
}

// instance is the inventory record of h as seen at instant at.
func (h *host) instance(at time.Time) source.Instance {
	sn := subnetByKey[h.subnet]
	tags := make(map[string]string, len(h.tags))
	for k, v := range h.tags {
		tags[k] = v
	}
	var sgIDs []string
	for _, g := range h.sgs {
		sgIDs = append(sgIDs, sgID(sn.vpc, g))
	}
	return source.Instance{
		ID:               h.id,
		Name:             h.name,
		Type:             h.typ,
		State:            "running",
		LaunchTime:       h.launch(at),
		AvailabilityZone: region + sn.az,
		VPCID:            vpcByKey[sn.vpc].id(),
		SubnetID:         sn.id(),
		PrivateIP:        h.ip,
		PublicIP:         h.public,
		Platform:         "linux",
		SecurityGroupIDs: sgIDs,
		Tags:             tags,
		AutoScalingGroup: h.asg,
		NodeGroup:        h.nodegroup,
		Cluster:          h.cluster,
	}
}

// launch is when h was launched, to the second, for a run at at.
func (h *host) launch(at time.Time) time.Time {
	jitter := time.Duration(seedOf("launch/"+h.name)%7200) * time.Second
	return at.Add(-h.age - jitter).UTC().Truncate(time.Second)
}
