package security

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/cwreport/cwreport/jobs/internal/textfmt"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/i18n"
)

// Dataset parts the network checks read.
const (
	partGroups   = "security_groups"
	partNACLs    = "network_acls"
	partVPCs     = "vpcs"
	partFlowLogs = "flow_logs"
)

// AdminPorts are the remote administration ports CIS 5.2-5.4 name.
var AdminPorts = []int{22, 3389}

const (
	anyIPv4 = "0.0.0.0/0"
	anyIPv6 = "::/0"
)

func networkChecks() []Check {
	return []Check{
		{
			ID: "network.sg_admin_ports_ipv4", CIS: "5.3", Category: Network, Severity: report.SeverityHigh, Needs: source.NeedNetwork,
			Title: i18n.Text{En: "No security group allows 0.0.0.0/0 to SSH (22) or RDP (3389)", Ko: "0.0.0.0/0에서 SSH(22)·RDP(3389)를 허용하는 보안 그룹 없음"},
			Remediation: i18n.Text{
				En: "Replace 0.0.0.0/0 on ports 22 and 3389 with the office or VPN ranges, or remove the rule and use SSM Session Manager.",
				Ko: "22·3389 포트의 0.0.0.0/0 규칙을 사무실·VPN 대역으로 바꾸거나, 규칙을 지우고 SSM Session Manager를 사용하십시오.",
			},
			Run: openPortsCheck(anyIPv4, func(*Env) []int { return AdminPorts }),
		},
		{
			ID: "network.sg_admin_ports_ipv6", CIS: "5.4", Category: Network, Severity: report.SeverityHigh, Needs: source.NeedNetwork,
			Title: i18n.Text{En: "No security group allows ::/0 to SSH (22) or RDP (3389)", Ko: "::/0에서 SSH(22)·RDP(3389)를 허용하는 보안 그룹 없음"},
			Remediation: i18n.Text{
				En: "Remove the ::/0 rules on ports 22 and 3389, or narrow them to known IPv6 ranges.",
				Ko: "22·3389 포트의 ::/0 규칙을 지우거나 알려진 IPv6 대역으로 좁히십시오.",
			},
			Run: openPortsCheck(anyIPv6, func(*Env) []int { return AdminPorts }),
		},
		{
			ID: "network.sg_sensitive_ports", Category: Network, Severity: report.SeverityHigh, Needs: source.NeedNetwork,
			Title: i18n.Text{En: "No security group exposes a sensitive port (databases, Jupyter, ...) to the internet", Ko: "민감한 포트(DB, Jupyter 등)를 인터넷에 여는 보안 그룹 없음"},
			Remediation: i18n.Text{
				En: "Close database, cache, search and notebook ports to 0.0.0.0/0 and ::/0; allow them only from the application security groups or a VPN.",
				Ko: "DB·캐시·검색·노트북 포트를 0.0.0.0/0, ::/0에 열지 말고, 애플리케이션 보안 그룹이나 VPN에서만 허용하십시오.",
			},
			Run: openPortsCheck("", func(e *Env) []int { return e.Opts.SensitivePorts }),
		},
		{
			ID: "network.default_sg_restricts_all", CIS: "5.5", Category: Network, Severity: report.SeverityMedium, Needs: source.NeedNetwork,
			Title: i18n.Text{En: "Every VPC's default security group has no rules", Ko: "모든 VPC의 기본 보안 그룹에 규칙 없음"},
			Remediation: i18n.Text{
				En: "Move instances to purpose-built groups, then delete every inbound and outbound rule of each VPC's default group.",
				Ko: "인스턴스를 용도별 보안 그룹으로 옮긴 뒤, 각 VPC 기본 보안 그룹의 인바운드·아웃바운드 규칙을 모두 지우십시오.",
			},
			Run: checkDefaultGroups,
		},
		{
			ID: "network.nacl_admin_ports", CIS: "5.2", Category: Network, Severity: report.SeverityMedium, Needs: source.NeedNetwork,
			Title: i18n.Text{En: "No network ACL allows 0.0.0.0/0 or ::/0 to SSH (22) or RDP (3389)", Ko: "0.0.0.0/0·::/0에서 SSH(22)·RDP(3389)를 허용하는 네트워크 ACL 없음"},
			Remediation: i18n.Text{
				En: "Add a lower-numbered DENY entry for ports 22 and 3389 from 0.0.0.0/0 and ::/0, or narrow the ALLOW entry's source.",
				Ko: "0.0.0.0/0·::/0에서 22·3389 포트를 막는 더 낮은 번호의 DENY 항목을 추가하거나, ALLOW 항목의 출발지를 좁히십시오.",
			},
			Run: checkNACLs,
		},
		{
			ID: "network.vpc_flow_logs", CIS: "3.7", Category: Network, Severity: report.SeverityMedium, Needs: source.NeedNetwork,
			Title: i18n.Text{En: "Every VPC has an active flow log", Ko: "모든 VPC에 활성 플로 로그 사용"},
			Remediation: i18n.Text{
				En: "Create a flow log for each VPC (at least REJECT traffic) into CloudWatch Logs or S3: aws ec2 create-flow-logs --resource-type VPC --resource-ids <vpc> --traffic-type REJECT.",
				Ko: "각 VPC에 플로 로그(최소 REJECT 트래픽)를 CloudWatch Logs나 S3로 만드십시오: aws ec2 create-flow-logs --resource-type VPC --resource-ids <vpc> --traffic-type REJECT",
			},
			Run: checkFlowLogs,
		},
	}
}

// OpenRule is one ingress permission reachable from the whole internet.
type OpenRule struct {
	Group    source.SecurityGroup
	Rule     source.SGRule
	Source   string // 0.0.0.0/0 or ::/0
	Protocol string // tcp, udp or all
	// Ports is the rule's port range as a reader writes it: "22", "80-443", "all".
	Ports string
	// Exposed are the checked ports (admin and sensitive) the rule opens.
	Exposed []int
}

// protocolName maps EC2's protocol spellings; ok is false for protocols
// without ports (ICMP), which cannot expose a TCP/UDP service.
func protocolName(p string) (string, bool) {
	switch strings.ToLower(p) {
	case "-1", "all":
		return "all", true
	case "tcp", "6":
		return "tcp", true
	case "udp", "17":
		return "udp", true
	}
	return strings.ToLower(p), false
}

func portRange(proto string, from, to int32) string {
	if proto == "all" || (from <= 0 && (to <= 0 || to >= 65535)) {
		return "all"
	}
	if from == to {
		return strconv.Itoa(int(from))
	}
	return fmt.Sprintf("%d-%d", from, to)
}

func ruleOpens(proto string, from, to int32, port int) bool {
	if proto == "all" || (from <= 0 && (to <= 0 || to >= 65535)) {
		return true
	}
	return int(from) <= port && port <= int(to)
}

// WorldOpenRules lists every ingress rule open to 0.0.0.0/0 or ::/0 (any
// port, for the evidence), with the checked ports it exposes.
func WorldOpenRules(groups []source.SecurityGroup, checked []int) []OpenRule {
	var out []OpenRule
	for _, g := range groups {
		for _, r := range g.Ingress {
			proto, ported := protocolName(r.Protocol)
			var srcs []string
			if slices.Contains(r.CIDRs, anyIPv4) {
				srcs = append(srcs, anyIPv4)
			}
			if slices.Contains(r.IPv6CIDRs, anyIPv6) {
				srcs = append(srcs, anyIPv6)
			}
			for _, s := range srcs {
				o := OpenRule{Group: g, Rule: r, Source: s, Protocol: proto, Ports: portRange(proto, r.FromPort, r.ToPort)}
				if !ported {
					o.Ports = "-"
				}
				for _, p := range checked {
					if ported && ruleOpens(proto, r.FromPort, r.ToPort, p) {
						o.Exposed = append(o.Exposed, p)
					}
				}
				out = append(out, o)
			}
		}
	}
	return out
}

// openPortsCheck fails when a rule from src (both families when "") opens
// one of the ports. Offenders are group ids; evidence maps each group to
// the ports it exposes.
func openPortsCheck(src string, ports func(*Env) []int) func(*Env) Result {
	return func(e *Env) Result {
		if e.unread(partGroups) {
			return unknown(partGroups)
		}
		want := ports(e)
		byGroup := map[string][]string{}
		for _, o := range WorldOpenRules(e.Data.SecurityGroups, want) {
			if len(o.Exposed) == 0 || (src != "" && o.Source != src) {
				continue
			}
			for _, p := range o.Exposed {
				byGroup[o.Group.ID] = append(byGroup[o.Group.ID], fmt.Sprintf("%d/%s from %s", p, o.Protocol, o.Source))
			}
		}
		if len(byGroup) == 0 {
			list := joinInts(want)
			return pass("no security group opens "+list+" to the internet", "인터넷에 "+list+" 포트를 여는 보안 그룹이 없습니다")
		}
		var ids, lines []string
		for id, ps := range byGroup {
			slices.Sort(ps)
			ps = slices.Compact(ps)
			ids = append(ids, id)
			byGroup[id] = ps
		}
		slices.Sort(ids)
		for _, id := range ids {
			lines = append(lines, id+": "+strings.Join(byGroup[id], ", "))
		}
		return fail("open to the internet: "+strings.Join(lines, "; "), "인터넷에 열린 포트: "+strings.Join(lines, "; "),
			ids, map[string]any{"groups": byGroup})
	}
}

func joinInts(ps []int) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = strconv.Itoa(p)
	}
	return strings.Join(s, ", ")
}

func checkDefaultGroups(e *Env) Result {
	if e.unread(partGroups) {
		return unknown(partGroups)
	}
	var bad []string
	ev := map[string]any{}
	seen := 0
	for _, g := range e.Data.SecurityGroups {
		if g.Name != "default" {
			continue
		}
		seen++
		if n := len(g.Ingress) + len(g.Egress); n > 0 {
			bad = append(bad, g.ID)
			ev[g.ID] = map[string]any{"vpc": g.VPCID, "ingress_rules": len(g.Ingress), "egress_rules": len(g.Egress), "attached_instances": len(g.AttachedTo)}
		}
	}
	if len(bad) > 0 {
		return fail(fmt.Sprintf("%s rules: %s", textfmt.Count(len(bad), "default security group", "default security groups")+" "+hasHave(len(bad)), strings.Join(bad, ", ")),
			fmt.Sprintf("규칙이 있는 기본 보안 그룹 %d개: %s", len(bad), strings.Join(bad, ", ")), bad, ev)
	}
	return pass(fmt.Sprintf("%s, none with rules", textfmt.Count(seen, "default security group", "default security groups")), fmt.Sprintf("기본 보안 그룹 %d개 모두 규칙 없음", seen))
}

// aclOpens reports whether the first entry (by rule number) that matches
// port from the whole internet (cidr) allows it: NACLs stop at the first
// matching entry.
func aclOpens(entries []source.ACLEntry, cidr string, port int) (source.ACLEntry, bool) {
	es := slices.Clone(entries)
	slices.SortFunc(es, func(a, b source.ACLEntry) int { return int(a.RuleNumber) - int(b.RuleNumber) })
	for _, en := range es {
		if en.Egress {
			continue
		}
		if en.CIDR != cidr && en.IPv6CIDR != cidr {
			continue
		}
		proto, ported := protocolName(en.Protocol)
		if !ported || !ruleOpens(proto, en.FromPort, en.ToPort, port) {
			continue
		}
		return en, strings.EqualFold(en.Action, "allow")
	}
	return source.ACLEntry{}, false
}

func checkNACLs(e *Env) Result {
	if e.unread(partNACLs) {
		return unknown(partNACLs)
	}
	var bad []string
	ev := map[string]any{}
	for _, acl := range e.Data.NetworkACLs {
		var open []string
		for _, cidr := range []string{anyIPv4, anyIPv6} {
			for _, p := range AdminPorts {
				if en, ok := aclOpens(acl.Entries, cidr, p); ok {
					open = append(open, fmt.Sprintf("%d from %s (rule %d)", p, cidr, en.RuleNumber))
				}
			}
		}
		if len(open) > 0 {
			bad = append(bad, acl.ID)
			ev[acl.ID] = map[string]any{"vpc": acl.VPCID, "open": open}
		}
	}
	if len(bad) > 0 {
		return fail(fmt.Sprintf("%s 22 or 3389 from anywhere: %s", textfmt.Count(len(bad), "network ACL", "network ACLs")+" "+pick(len(bad), "allows", "allow"), strings.Join(bad, ", ")),
			fmt.Sprintf("어디서나 22·3389를 허용하는 네트워크 ACL %d개: %s", len(bad), strings.Join(bad, ", ")), bad, ev)
	}
	return pass(fmt.Sprintf("%s, none allows 22 or 3389 from anywhere", textfmt.Count(len(e.Data.NetworkACLs), "network ACL", "network ACLs")),
		fmt.Sprintf("네트워크 ACL %d개 모두 외부의 22·3389 접근을 허용하지 않음", len(e.Data.NetworkACLs)))
}

// FlowLogged reports which VPCs have an ACTIVE flow log on the VPC itself.
func FlowLogged(d *source.Dataset) map[string]bool {
	on := map[string]bool{}
	for _, f := range d.FlowLogs {
		if strings.EqualFold(f.Status, "ACTIVE") {
			on[f.ResourceID] = true
		}
	}
	return on
}

func checkFlowLogs(e *Env) Result {
	if e.unread(partVPCs, partFlowLogs) {
		return unknown(partVPCs, partFlowLogs)
	}
	on := FlowLogged(e.Data)
	var bad []string
	for _, v := range e.Data.VPCs {
		if !on[v.ID] {
			bad = append(bad, v.ID)
		}
	}
	if len(bad) > 0 {
		return fail(fmt.Sprintf("%d of %s %s no active flow log: %s", len(bad), textfmt.Count(len(e.Data.VPCs), "VPC", "VPCs"), hasHave(len(bad)), strings.Join(bad, ", ")),
			fmt.Sprintf("VPC %d개 중 %d개에 활성 플로 로그가 없습니다: %s", len(e.Data.VPCs), len(bad), strings.Join(bad, ", ")), bad, map[string]any{"vpcs": bad})
	}
	return pass(fmt.Sprintf("%s an active flow log", allHave(len(e.Data.VPCs), "VPC", "VPCs")), fmt.Sprintf("VPC %d개 모두 활성 플로 로그 사용", len(e.Data.VPCs)))
}
