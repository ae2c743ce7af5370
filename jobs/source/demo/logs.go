package demo

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/jobs/source/logscan"
)

// The log groups of the demo account. LogStats are made the way the aws
// source makes them: raw lines are generated minute by minute and streamed
// into logscan, never held in memory. Routine lines follow the Seoul
// business day; the stories add the gRPC error burst on the EKS control
// plane (At-5h..At-4h), the order-api deploy and its OutOfMemoryError /
// NullPointerException storm on order-api-02 (from At-85m), coin-miner
// alerts from the DMZ instance during its CPU spike, and hostile lines in
// /firewall/alerts/dmz (hostile.go).

type logGroupDef struct {
	name       string
	retention  int32
	kms        bool
	createdAgo time.Duration
	stored     int64
	// rate is events per minute at the busiest weekday hour; night is the
	// quietest rate as a fraction of it.
	rate, night float64
	// line writes routine event k at t (Unix milliseconds).
	line func(w *logWriter, t int64, k int64)
	// stories writes the story events of the window.
	stories func(w *logWriter)
}

var logGroups = []logGroupDef{
	{name: "/aws/ec2/system-logs", createdAgo: 700 * day, stored: 18_400_000_000, rate: 8, night: 0.5, line: systemLine},
	{name: "/aws/eks/" + eksCluster + "/cluster", retention: 90, kms: true, createdAgo: 400 * day, stored: 41_200_000_000,
		rate: 30, night: 0.6, line: eksLine, stories: eksStories},
	{name: "/aws/lambda/order-notifier", createdAgo: 300 * day, stored: 2_140_000_000, rate: 1.6, night: 0.15, line: notifierLine},
	{name: "/aws/lambda/image-resize", createdAgo: 500 * day, stored: 655_000_000, rate: 0.8, night: 0.2, line: resizeLine},
	{name: orderAppGroup, retention: 30, createdAgo: 200 * day, stored: 9_830_000_000, rate: 12, night: 0.35,
		line: orderLine, stories: orderStories},
	{name: "/firewall/alerts/dmz", retention: 365, kms: true, createdAgo: 600 * day, stored: 3_310_000_000, rate: 3, night: 0.8,
		line: dmzAlertLine, stories: dmzStories},
	{name: "/firewall/alerts/internal", createdAgo: 600 * day, stored: 1_205_000_000, rate: 1, night: 0.7,
		line: internalAlertLine, stories: internalStories},
	{name: trailGroup, retention: 365, kms: true, createdAgo: 800 * day, stored: 12_700_000_000, rate: 4, night: 0.3,
		line: trailReadLine, stories: trailStories},
}

const orderAppGroup = "/aws/ec2/order-api/app"

func logGroupARN(name string) string {
	return "arn:aws:logs:" + region + ":" + accountID + ":log-group:" + name + ":*"
}

// logGroupList fills LogGroups with the groups the query selects.
func logGroupList(ds *source.Dataset, q source.LogQuery, at time.Time) {
	for _, g := range logGroups {
		if !q.Selects(g.name) {
			continue
		}
		lg := source.LogGroup{Name: g.name, ARN: logGroupARN(g.name), RetentionDays: g.retention, StoredBytes: g.stored,
			Created: at.Add(-g.createdAgo).UTC().Truncate(time.Hour)}
		if g.kms {
			lg.KMSKeyID = "arn:aws:kms:" + region + ":" + accountID + ":key/" + uuid(seedOf("kms/logs"), 0)
		}
		ds.LogGroups = append(ds.LogGroups, lg)
	}
}

// logWriter feeds one group's generated lines to its scanner.
type logWriter struct {
	ctx   context.Context
	sc    *logscan.Scanner
	at    int64 // Unix seconds
	start int64
	end   int64 // min(window end, At), Unix seconds
	seed  uint64
	buf   []byte
	lines int64
	req   source.Request
}

// emit scans the line in w.buf, logged at t (Unix milliseconds).
func (w *logWriter) emit(t int64) {
	if t < w.start*1000 || t >= w.end*1000 {
		return
	}
	w.sc.Add(time.UnixMilli(t).UTC(), string(w.buf))
	w.lines++
}

// ago is At - d in Unix milliseconds.
func (w *logWriter) ago(d time.Duration) int64 { return w.at*1000 - d.Milliseconds() }

// logStats scans every selected group over the window.
func logStats(ctx context.Context, ds *source.Dataset, req source.Request, at time.Time) error {
	terms := req.Logs.ErrorTerms
	if len(terms) == 0 {
		terms = config.DefaultErrorTerms // what a job's terms default to
	}
	end := req.Window.End
	if at.Before(end) {
		end = at
	}
	var selected []logGroupDef
	for _, g := range logGroups {
		if req.Logs.Selects(g.name) {
			selected = append(selected, g)
		}
	}
	for i, g := range selected {
		if req.Progress != nil {
			req.Progress("logs", i, len(selected))
		}
		w := &logWriter{ctx: ctx, sc: logscan.New(g.name, req.Window, terms, req.Logs.Bin, req.Logs.TopPatterns),
			at: at.Unix(), start: req.Window.Start.Unix(), end: end.Unix(), seed: seedOf("logs/" + g.name),
			buf: make([]byte, 0, 512), req: req}
		if err := w.routine(g); err != nil {
			return err
		}
		if g.stories != nil {
			g.stories(w)
		}
		ds.LogStats = append(ds.LogStats, w.sc.Stats())
	}
	if req.Progress != nil {
		req.Progress("logs", len(selected), len(selected))
	}
	return nil
}

// routine writes the group's everyday events, minute by minute on absolute
// minutes (so overlapping windows agree), as many as the hour's rate.
func (w *logWriter) routine(g logGroupDef) error {
	for m := floorDiv(w.start, 60); m*60 < w.end; m++ {
		if m%1440 == 0 {
			if err := w.ctx.Err(); err != nil {
				return err
			}
		}
		t := m * 60
		rate := g.rate * (g.night + (1-g.night)*season(t))
		n := int(rate + unit(w.seed, m))
		for i := 0; i < n; i++ {
			k := m*256 + int64(i)
			ms := t*1000 + int64(unit(w.seed^1, k)*60000)
			g.line(w, ms, k)
		}
	}
	return nil
}

// Formatting helpers: append to w.buf without fmt.

func (w *logWriter) reset() { w.buf = w.buf[:0] }

func (w *logWriter) s(parts ...string) {
	for _, p := range parts {
		w.buf = append(w.buf, p...)
	}
}

func (w *logWriter) n(v int64) { w.buf = strconv.AppendInt(w.buf, v, 10) }

func (w *logWriter) ts(ms int64, layout string, loc *time.Location) {
	w.buf = time.UnixMilli(ms).In(loc).AppendFormat(w.buf, layout)
}

func (w *logWriter) pick(k int64, salt uint64, options []string) string {
	return options[intn(w.seed^salt, k, len(options))]
}

func (w *logWriter) chance(k int64, salt uint64, p float64) bool { return unit(w.seed^salt, k) < p }

// uuid is a UUID-shaped string for counter k of stream seed.
func uuid(seed uint64, k int64) string {
	a, b := mix(seed^uint64(k)), mix(seed^uint64(k)^0x9e37)
	const hex = "0123456789abcdef"
	var out [36]byte
	j := 0
	for i := 0; i < 36; i++ {
		switch i {
		case 8, 13, 18, 23:
			out[i] = '-'
			continue
		case 14:
			out[i] = '4'
			continue
		}
		var v uint64
		if j < 16 {
			v = a >> (4 * j)
		} else {
			v = b >> (4 * (j - 16))
		}
		out[i] = hex[v&0xf]
		j++
	}
	return string(out[:])
}

// ipName is the EC2 private DNS short name of an address: ip-10-20-1-15.
func ipName(ip string) string {
	b := []byte("ip-" + ip)
	for i := range b {
		if b[i] == '.' {
			b[i] = '-'
		}
	}
	return string(b)
}

// --- /aws/ec2/system-logs -------------------------------------------------

func systemLine(w *logWriter, t, k int64) {
	h := fleet[intn(w.seed^2, k, len(fleet))]
	w.reset()
	w.ts(t, "Jan _2 15:04:05 ", time.UTC)
	w.s(ipName(h.ip), " ")
	switch r := unit(w.seed^3, k); {
	case r < 0.004:
		w.s("amazon-ssm-agent[1893]: ERROR [MessageGatewayService] Failed to connect to ssmmessages endpoint: dial tcp 52.95.194.65:443: i/o timeout")
	case r < 0.006 && h.role == roleBastion:
		w.s("sshd[")
		w.n(20000 + int64(intn(w.seed^4, k, 9000)))
		w.s("]: error: kex_exchange_identification: Connection closed by remote host")
	case r < 0.3:
		w.s("systemd[1]: Started Session ")
		w.n(1000 + k%90000)
		w.s(" of User ec2-user.")
	case r < 0.5:
		w.s("systemd-logind[588]: Removed session ")
		w.n(1000 + k%90000)
		w.s(".")
	case r < 0.7:
		w.s("chronyd[612]: Selected source 169.254.169.123")
	case r < 0.85:
		w.s("amazon-ssm-agent[1893]: INFO [HealthCheck] HealthCheck reporting agent health.")
	case r < 0.95:
		w.s("dhclient[2105]: XMT: Solicit on eth0, interval ")
		w.n(110000 + int64(intn(w.seed^5, k, 20000)))
		w.s("ms.")
	default:
		w.s("sshd[")
		w.n(20000 + int64(intn(w.seed^4, k, 9000)))
		w.s("]: Accepted publickey for ec2-user from 10.11.0.12 port ")
		w.n(40000 + int64(intn(w.seed^6, k, 20000)))
		w.s(" ssh2: ED25519 SHA256:3kQ9u1bq0JYtq7yG5j5t0d8sVx4Pp2mXq0hT1w6zKdc")
	}
	w.emit(t)
}

// --- /aws/eks/eksworkshop/cluster -------------------------------------------

func (w *logWriter) klog(t int64, level string, file string) {
	w.reset()
	w.s(level)
	w.buf = time.UnixMicro(t*1000+int64(intn(w.seed^0x6b, t, 1000))).UTC().AppendFormat(w.buf, "0102 15:04:05.000000")
	w.s("      11 ", file, "] ")
}

var kubeURIs = []string{"/api/v1/namespaces/kube-system/pods?limit=500", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/",
	"/api/v1/nodes?resourceVersion=0", "/apis/apps/v1/namespaces/order/deployments/order-worker", "/api/v1/namespaces/default/endpoints/kubernetes",
	"/apis/metrics.k8s.io/v1beta1/nodes"}

var kubeAgents = []string{"kubelet/v1.29.3 (linux/amd64) kubernetes/6813625", "kube-controller-manager/v1.29.3 (linux/amd64) kubernetes/6813625/leader-election",
	"kubectl/v1.29.3 (darwin/arm64) kubernetes/6813625", "argocd-application-controller/v0.0.0 (linux/amd64) kubernetes/$Format"}

func eksLine(w *logWriter, t, k int64) {
	switch r := unit(w.seed^3, k); {
	case r < 0.001:
		w.klog(t, "E", "status.go:71")
		w.s("apiserver received an error that is not an metav1.Status: context.deadlineExceededError{}: context deadline exceeded")
	case r < 0.7:
		w.klog(t, "I", "httplog.go:132")
		w.s(`"HTTP" verb="`, w.pick(k, 7, []string{"GET", "GET", "GET", "PUT", "PATCH", "WATCH"}), `" URI="`, w.pick(k, 8, kubeURIs),
			`" latency="`)
		w.buf = strconv.AppendFloat(w.buf, 0.5+unit(w.seed^9, k)*20, 'f', 3, 64)
		w.s(`ms" userAgent="`, w.pick(k, 10, kubeAgents), `" audit-ID="`, uuid(w.seed, k), `" srcIP="`,
			fleet[12+intn(w.seed^11, k, 8)].ip, ":")
		w.n(30000 + int64(intn(w.seed^12, k, 30000)))
		w.s(`" resp=200`)
	case r < 0.85:
		w.klog(t, "I", "controller.go:624")
		w.s("quota admission added evaluator for: ", w.pick(k, 13, []string{"leases.coordination.k8s.io", "endpoints", "events.events.k8s.io", "replicasets.apps"}))
	default:
		w.reset()
		w.s(`time="`)
		w.ts(t, "2006-01-02T15:04:05Z", time.UTC)
		h := fleet[12+intn(w.seed^11, k, 8)]
		w.s(`" level=info msg="access granted" arn="arn:aws:iam::`, accountID, `:role/eks-node-role" client="127.0.0.1:`)
		w.n(40000 + int64(intn(w.seed^12, k, 20000)))
		w.s(`" groups="[system:bootstrappers system:nodes]" method=POST path=/authenticate username="system:node:`, ipName(h.ip), `.ap-northeast-2.compute.internal"`)
	}
	w.emit(t)
}

// eksStories: the metrics-server and an etcd member drop out for an hour;
// the API server logs gRPC connection errors.
func eksStories(w *logWriter) {
	from, to := w.ago(grpcBurstStart), w.ago(grpcBurstEnd)
	seed := w.seed ^ 0x6770
	for t, k := from, int64(0); t < to; k++ {
		t += 600 + int64(unit(seed, k)*2400) // ~40 a minute
		switch intn(seed^1, k, 4) {
		case 0:
			w.klog(t, "E", "controller.go:113")
			w.s(`loading OpenAPI spec for "v1beta1.metrics.k8s.io" failed with: failed to download v1beta1.metrics.k8s.io: rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp 10.20.35.120:443: connect: connection refused"`)
		case 1:
			w.klog(t, "W", "logging.go:59")
			w.s(`[core] [Channel #`)
			w.n(1200 + k)
			w.s(` SubChannel #`)
			w.n(1201 + k)
			w.s(`] grpc: addrConn.createTransport failed to connect to {Addr: "10.20.0.11:2379", ServerName: "etcd-2", }. Err: connection error: desc = "transport: Error while dialing: dial tcp 10.20.0.11:2379: connect: connection refused"`)
		case 2:
			w.klog(t, "E", "status.go:71")
			w.s(`apiserver received an error that is not an metav1.Status: rpc error: code = Unavailable desc = transport is closing`)
		default:
			w.klog(t, "E", "watcher.go:342")
			w.s(`watch chan error: rpc error: code = Unavailable desc = transport is closing`)
		}
		w.emit(t)
	}
}

// --- Lambda -------------------------------------------------------------

func (w *logWriter) lambdaInvocation(t, k int64, mem int, body func(id string, t int64)) {
	id := uuid(w.seed, k)
	w.reset()
	w.s("START RequestId: ", id, " Version: $LATEST")
	w.emit(t)
	dur := 40 + unit(w.seed^20, k)*400
	body(id, t+5)
	end := t + int64(dur)
	w.reset()
	w.s("END RequestId: ", id)
	w.emit(end)
	w.reset()
	w.s("REPORT RequestId: ", id, "\tDuration: ")
	w.buf = strconv.AppendFloat(w.buf, dur, 'f', 2, 64)
	w.s(" ms\tBilled Duration: ")
	w.n(int64(dur) + 1)
	w.s(" ms\tMemory Size: ")
	w.n(int64(mem))
	w.s(" MB\tMax Memory Used: ")
	w.n(int64(mem/3 + intn(w.seed^21, k, mem/4)))
	w.s(" MB")
	w.emit(end + 1)
}

func notifierLine(w *logWriter, t, k int64) {
	w.lambdaInvocation(t, k, 256, func(id string, t int64) {
		w.reset()
		w.ts(t, "2006-01-02T15:04:05.000Z", time.UTC)
		if w.chance(k, 22, 0.006) {
			w.s("\t", id, "\tERROR\tInvoke Error \t{\"errorType\":\"TimeoutError\",\"errorMessage\":\"SES SendEmail timed out after 3000ms\",\"stack\":[\"TimeoutError: SES SendEmail timed out after 3000ms\",\"    at Timeout._onTimeout (/var/task/index.js:48:19)\"]}")
		} else {
			w.s("\t", id, "\tINFO\tSent order confirmation orderId=")
			w.n(7000000 + int64(intn(w.seed^23, k, 999999)))
		}
		w.emit(t)
	})
}

func resizeLine(w *logWriter, t, k int64) {
	w.lambdaInvocation(t, k, 1024, func(id string, t int64) {
		w.reset()
		if w.chance(k, 22, 0.006) {
			w.s("[ERROR]\t")
			w.ts(t, "2006-01-02T15:04:05.000Z", time.UTC)
			w.s("\t", id, "\tUnidentifiedImageError: cannot identify image file '/tmp/", uuid(w.seed^24, k), ".heic'")
		} else {
			w.s("[INFO]\t")
			w.ts(t, "2006-01-02T15:04:05.000Z", time.UTC)
			w.s("\t", id, "\tresized s3://demo-media/uploads/")
			w.n(int64(intn(w.seed^25, k, 9999999)))
			w.s(".jpg to 3 sizes")
		}
		w.emit(t)
	})
}

// --- /aws/ec2/order-api/app -----------------------------------------------

func orderHost(i int) *host { return hostByName["order-api-0"+strconv.Itoa(i+1)] }

func (w *logWriter) spring(t int64, level string, pid int64, thread, logger string) {
	w.reset()
	w.ts(t, "2006-01-02T15:04:05.000-07:00", seoul)
	w.s(" ", level, " ")
	w.n(pid)
	w.s(" --- [order-api] [", thread, "] ", logger, " : ")
}

func orderPID(i int, t int64, w *logWriter) int64 {
	if i == 1 && t >= w.ago(incidentDeploy) {
		return 5121 // restarted by the deploy
	}
	return int64(4100 + 71*i)
}

var orderPaths = []string{"POST /api/orders 201", "GET /api/orders/{id} 200", "GET /api/orders?customer={id} 200", "PUT /api/orders/{id}/cancel 200"}

func orderLine(w *logWriter, t, k int64) {
	i := intn(w.seed^2, k, 3)
	h := orderHost(i)
	thread := "nio-8080-exec-" + strconv.Itoa(1+intn(w.seed^3, k, 20))
	switch r := unit(w.seed^4, k); {
	case r < 0.0015:
		w.spring(t, "ERROR", orderPID(i, t, w), thread, "c.d.o.payment.PaymentClient      ")
		w.s("Payment gateway timeout after 5000ms orderId=")
		w.n(7000000 + int64(intn(w.seed^5, k, 999999)))
	case r < 0.004:
		w.spring(t, " WARN", orderPID(i, t, w), thread, "com.zaxxer.hikari.pool.HikariPool ")
		w.s("HikariPool-1 - Connection is not available, request timed out after 30000ms.")
	default:
		w.spring(t, " INFO", orderPID(i, t, w), thread, "c.d.o.web.OrderController        ")
		w.s(w.pick(k, 6, orderPaths), " ")
		w.n(int64(8 + intn(w.seed^7, k, 120)))
		w.s("ms orderId=")
		w.n(7000000 + int64(intn(w.seed^5, k, 999999)))
		w.s(" instance=", h.id)
	}
	w.emit(t)
}

// orderStories: the v2.14.1 deploy on order-api-02 and the errors after it.
func orderStories(w *logWriter) {
	h := orderHost(1)
	t := w.ago(incidentDeploy)
	w.spring(t, " INFO", 4171, "main", "c.d.o.deploy.DeployHook          ")
	w.s("deploy: rolling out order-api ", orderDeploy, " on ", h.id, " (", h.name, ")")
	w.emit(t)
	t += 27_400
	w.spring(t, " INFO", 5121, "main", "c.d.o.OrderApiApplication        ")
	w.s("Started OrderApiApplication in 21.4 seconds (process running for 23.0) version=", orderDeploy)
	w.emit(t)
	seed := w.seed ^ 0x0e44
	for t, k := w.ago(incidentErrors), int64(0); t < w.end*1000; k++ {
		t += 1500 + int64(unit(seed, k)*7000) // ~14 a minute
		thread := "nio-8080-exec-" + strconv.Itoa(1+intn(seed^1, k, 20))
		if intn(seed^2, k, 3) == 0 {
			w.spring(t, "ERROR", 5121, thread, "o.a.c.c.C.[.[.[/].[dispatcherServlet]")
			w.s("Servlet.service() for servlet [dispatcherServlet] threw exception java.lang.OutOfMemoryError: Java heap space")
		} else {
			w.spring(t, "ERROR", 5121, thread, "c.d.o.web.OrderController        ")
			w.s("request failed orderId=")
			w.n(7000000 + int64(intn(seed^3, k, 999999)))
			w.s(" java.lang.NullPointerException at OrderService.place(OrderService.java:214)")
		}
		w.emit(t)
	}
}

// --- firewalls ----------------------------------------------------------

var attackers = []string{"45.142.120.11", "185.220.101.34", "91.240.118.172", "193.32.162.77", "103.145.13.230", "141.98.10.63"}

type signature struct{ sid, text, class, prio string }

var dmzSignatures = []signature{
	{"2001219:20", "ET SCAN Potential SSH Scan", "Attempted Information Leak", "2"},
	{"2010935:3", "ET SCAN Suspicious inbound to MSSQL port 1433", "Potentially Bad Traffic", "2"},
	{"2002911:6", "ET SCAN Potential VNC Scan 5900-5920", "Attempted Information Leak", "2"},
	{"2034647:2", "ET EXPLOIT Apache log4j RCE Attempt (http ldap) (CVE-2021-44228)", "Attempted Administrator Privilege Gain", "1"},
	{"2024897:1", "ET USER_AGENTS Go HTTP Client User-Agent", "Misc activity", "3"},
}

// fastLog writes a Suricata fast.log alert logged at t (Unix milliseconds).
func (w *logWriter) fastLog(t int64, s signature, proto, src, dst string) {
	w.reset()
	w.buf = time.UnixMicro(t*1000+int64(intn(w.seed^0x66, t, 1000))).UTC().AppendFormat(w.buf, "01/02/2006-15:04:05.000000")
	w.s("  [**] [1:", s.sid, "] ", s.text, " [**] [Classification: ", s.class, "] [Priority: ", s.prio, "] {", proto, "} ", src, " -> ", dst)
}

func dmzAlertLine(w *logWriter, t, k int64) {
	s := dmzSignatures[intn(w.seed^2, k, len(dmzSignatures))]
	port := map[string]string{"2001219:20": "22", "2010935:3": "1433", "2002911:6": "5900"}[s.sid]
	if port == "" {
		port = "443"
	}
	w.fastLog(t, s, "TCP", w.pick(k, 3, attackers)+":"+strconv.Itoa(30000+intn(w.seed^4, k, 30000)),
		w.pick(k, 5, []string{"10.11.0.12", hostByName["bastion-01"].ip, "10.11.0.40"})+":"+port)
	w.emit(t)
}

// dmzStories: coin-miner check-ins from the DMZ instance while its CPU is
// pinned, and the alert shipper rejecting hostile requests all along.
func dmzStories(w *logWriter) {
	miner := signature{"2024792:4", "ET POLICY Cryptocurrency Miner Checkin", "Potential Corporate Privacy Violation", "1"}
	seed := w.seed ^ 0xc01
	for t, k := w.ago(dmzSpikeStart)+90_000, int64(0); t < w.end*1000; k++ {
		w.fastLog(t, miner, "TCP", "10.11.20.101:"+strconv.Itoa(40000+intn(seed, k, 20000)), "185.71.65.238:3333")
		w.emit(t)
		t += 20_000 + int64(unit(seed^1, k)*40_000)
	}
	// Hostile lines every 37 minutes on absolute time, the 1 MiB one twice a day.
	const every = 37 * 60
	for slot := floorDiv(w.start, every); slot*every < w.end; slot++ {
		t := slot*every*1000 + int64(unit(seed^2, slot)*60_000)
		w.shipper(t, hostileLines[int(slot%int64(len(hostileLines)))])
	}
	for slot := floorDiv(w.start, 43200); slot*43200 < w.end; slot++ {
		w.shipper(slot*43200*1000+int64(unit(seed^3, slot)*3_600_000), oversizeLine())
	}
}

func (w *logWriter) shipper(t int64, msg string) {
	w.reset()
	w.ts(t, "2006-01-02T15:04:05.000Z", time.UTC)
	w.s(" fw-dmz-01 alertd[812]: ", msg)
	w.emit(t)
}

var internalSignatures = []signature{
	{"2025644:3", "ET POLICY SMB2 NT Create AndX Request For an Executable File", "Potential Corporate Privacy Violation", "1"},
	{"2013028:7", "ET POLICY curl User-Agent Outbound", "Attempted Information Leak", "2"},
	{"2027758:3", "ET DNS Query for .cc TLD", "Potentially Bad Traffic", "2"},
	{"2016149:2", "ET INFO Session Traversal Utilities for NAT (STUN Binding Request)", "Attempted User Privilege Gain", "2"},
}

func internalAlertLine(w *logWriter, t, k int64) {
	s := internalSignatures[intn(w.seed^2, k, len(internalSignatures))]
	src := fleet[intn(w.seed^3, k, len(fleet))]
	w.fastLog(t, s, "TCP", src.ip+":"+strconv.Itoa(30000+intn(w.seed^4, k, 30000)),
		hostByName["db-primary-01"].ip+":5432")
	w.emit(t)
}

// internalStories: the alert shipper fails to reload its rules once a day.
func internalStories(w *logWriter) {
	for d := floorDiv(w.start, 86400); d*86400 < w.end; d++ {
		t := (d*86400 + 18*3600 + 5*60) * 1000 // 03:05 KST
		w.reset()
		w.ts(t, "2006-01-02T15:04:05.000Z", time.UTC)
		w.s(" fw-int-01 alertd[640]: ERROR ruleset reload failed: suricata.rules line 18231: unknown keyword 'ja4.hash'")
		w.emit(t)
	}
}

// --- /aws/cloudtrail/management --------------------------------------------

// ctRecord is a CloudTrail record as the trail writes it to its log group.
type ctRecord struct {
	EventVersion string `json:"eventVersion"`
	UserIdentity struct {
		Type        string `json:"type"`
		PrincipalID string `json:"principalId,omitempty"`
		ARN         string `json:"arn,omitempty"`
		AccountID   string `json:"accountId"`
		UserName    string `json:"userName,omitempty"`
		InvokedBy   string `json:"invokedBy,omitempty"`
	} `json:"userIdentity"`
	EventTime         string          `json:"eventTime"`
	EventSource       string          `json:"eventSource"`
	EventName         string          `json:"eventName"`
	AWSRegion         string          `json:"awsRegion"`
	SourceIP          string          `json:"sourceIPAddress"`
	UserAgent         string          `json:"userAgent"`
	ErrorCode         string          `json:"errorCode,omitempty"`
	ErrorMessage      string          `json:"errorMessage,omitempty"`
	RequestParameters json.RawMessage `json:"requestParameters"`
	ResponseElements  json.RawMessage `json:"responseElements"`
	AdditionalData    json.RawMessage `json:"additionalEventData,omitempty"`
	EventID           string          `json:"eventID"`
	ReadOnly          bool            `json:"readOnly"`
	EventType         string          `json:"eventType"`
	ManagementEvent   bool            `json:"managementEvent"`
	RecipientAccount  string          `json:"recipientAccountId"`
	EventCategory     string          `json:"eventCategory"`
}

func (w *logWriter) trailRecord(e source.TrailEvent) {
	var r ctRecord
	r.EventVersion = "1.09"
	r.UserIdentity.Type = e.UserType
	r.UserIdentity.ARN = e.PrincipalARN
	r.UserIdentity.AccountID = accountID
	if e.UserType == "IAMUser" {
		r.UserIdentity.UserName = e.UserName
	}
	if e.UserType == "AWSService" {
		r.UserIdentity.InvokedBy = e.UserName
	}
	r.EventTime = e.Time.UTC().Format(time.RFC3339)
	r.EventSource, r.EventName, r.AWSRegion = e.Source, e.Name, e.Region
	r.SourceIP, r.UserAgent = e.SourceIP, e.UserAgent
	r.ErrorCode, r.ErrorMessage = e.ErrorCode, e.ErrorMessage
	r.RequestParameters = json.RawMessage("null")
	if e.RequestParameters != "" {
		r.RequestParameters = json.RawMessage(e.RequestParameters)
	}
	r.ResponseElements = json.RawMessage("null")
	if e.LoginResult != "" {
		r.ResponseElements = json.RawMessage(`{"ConsoleLogin":"` + e.LoginResult + `"}`)
		r.AdditionalData = json.RawMessage(`{"LoginTo":"https://console.aws.amazon.com/console/home","MobileVersion":"No","MFAUsed":"` + e.MFAUsed + `"}`)
	}
	r.EventID, r.ReadOnly, r.EventType = e.ID, e.ReadOnly, "AwsApiCall"
	if e.Name == "ConsoleLogin" {
		r.EventType = "AwsConsoleSignIn"
	}
	r.ManagementEvent, r.RecipientAccount, r.EventCategory = true, accountID, "Management"
	b, err := json.Marshal(r)
	if err != nil { // only RawMessage can fail, and ours are valid JSON
		return
	}
	w.buf = append(w.buf[:0], b...)
	w.emit(e.Time.UnixMilli())
}

var readCalls = [][3]string{
	{"ec2.amazonaws.com", "DescribeInstances", "cwreport-readonly"},
	{"monitoring.amazonaws.com", "GetMetricData", "cwreport-readonly"},
	{"monitoring.amazonaws.com", "DescribeAlarms", "grafana-cloudwatch"},
	{"ec2.amazonaws.com", "DescribeNetworkInterfaces", "eks-vpc-cni"},
	{"sts.amazonaws.com", "GetCallerIdentity", "ci-deployer"},
	{"s3.amazonaws.com", "ListBuckets", "backup-audit"},
	{"kms.amazonaws.com", "Decrypt", "order-notifier-exec"},
}

// trailReadLine is the read-only traffic of healthy automation.
func trailReadLine(w *logWriter, t, k int64) {
	c := readCalls[intn(w.seed^2, k, len(readCalls))]
	e := withCall(assumed(c[2], "session-"+strconv.Itoa(int(k%9000)+1000), "10.20.1."+strconv.Itoa(10+int(k%200)), uaGoSDK), c[0], c[1], true)
	e.Time = time.UnixMilli(t).UTC().Truncate(time.Second)
	e.Region = region
	e.ID = uuid(w.seed^3, k)
	w.trailRecord(e)
}

// trailStories writes the window's trail events (trail.go) as records.
func trailStories(w *logWriter) {
	for _, e := range trailEvents(w.req, time.Unix(w.at, 0)) {
		w.trailRecord(e)
	}
}
