package fleet

import (
	"bytes"
	"io"
	"math"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// Aggregator serves as CloudWatch would in front of kumo at target: every
// request is passed to kumo, and a GetMetricData answer (kumo's raw
// datapoints in the time range) becomes what CloudWatch returns, one point
// per period of each query, in buckets from StartTime, valued by the
// query's statistic (Average, Sum, Maximum, Minimum, SampleCount; other
// statistics are passed through raw). It neither paginates nor enforces
// the response limit: the aws source's own tests do that against
// documented-shape responses.
func Aggregator(target string) http.Handler {
	u, err := url.Parse(target)
	if err != nil {
		panic(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/operation/GetMetricData") {
			proxy.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var in struct {
			MetricDataQueries []struct {
				Id         string
				MetricStat *struct {
					Period int32
					Stat   string
				}
			}
			StartTime time.Time
		}
		if err := cbor.Unmarshal(body, &in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		req, err := http.NewRequestWithContext(r.Context(), r.Method, target+r.URL.RequestURI(), bytes.NewReader(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		req.Header = r.Header.Clone()
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		raw, err := io.ReadAll(resp.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		var out struct {
			MetricDataResults []struct {
				Id         string
				Label      string
				Timestamps []time.Time
				Values     []float64
				StatusCode string
			}
			NextToken *string `cbor:",omitempty"`
		}
		if resp.StatusCode != http.StatusOK || cbor.Unmarshal(raw, &out) != nil {
			for k, v := range resp.Header {
				w.Header()[k] = v
			}
			w.WriteHeader(resp.StatusCode)
			w.Write(raw)
			return
		}
		type query struct {
			period int64
			stat   string
		}
		qs := map[string]query{}
		for _, q := range in.MetricDataQueries {
			if q.MetricStat != nil {
				qs[q.Id] = query{int64(q.MetricStat.Period), q.MetricStat.Stat}
			}
		}
		start := in.StartTime.Unix()
		for i := range out.MetricDataResults {
			res := &out.MetricDataResults[i]
			q, ok := qs[res.Id]
			if !ok || q.period <= 0 {
				continue
			}
			res.Timestamps, res.Values = aggregate(res.Timestamps, res.Values, start, q.period, q.stat)
		}
		b, err := cborTimeMode.Marshal(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/cbor")
		w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
		w.Write(b)
	})
}

// cborTimeMode writes times as CBOR tag 1 (epoch seconds), as CloudWatch
// and kumo do.
var cborTimeMode, _ = cbor.EncOptions{Time: cbor.TimeUnixDynamic, TimeTag: cbor.EncTagRequired}.EncMode()

// aggregate buckets ascending points into [start + k*period, ...) and
// computes stat over each bucket; unknown statistics leave the points as
// they are.
func aggregate(ts []time.Time, vs []float64, start, period int64, stat string) ([]time.Time, []float64) {
	switch stat {
	case "Average", "Sum", "Maximum", "Minimum", "SampleCount":
	default:
		return ts, vs
	}
	var outT []time.Time
	var outV []float64
	for i := 0; i < len(ts) && i < len(vs); {
		k := (ts[i].Unix() - start) / period
		if ts[i].Unix() < start {
			k = (ts[i].Unix() - start - period + 1) / period
		}
		var sum, n float64
		lo, hi := math.Inf(1), math.Inf(-1)
		j := i
		for ; j < len(ts) && j < len(vs); j++ {
			kj := (ts[j].Unix() - start) / period
			if ts[j].Unix() < start {
				kj = (ts[j].Unix() - start - period + 1) / period
			}
			if kj != k {
				break
			}
			v := vs[j]
			sum += v
			n++
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		var v float64
		switch stat {
		case "Average":
			v = sum / n
		case "Sum":
			v = sum
		case "Maximum":
			v = hi
		case "Minimum":
			v = lo
		case "SampleCount":
			v = n
		}
		outT = append(outT, time.Unix(start+k*period, 0).UTC())
		outV = append(outV, v)
		i = j
	}
	return outT, outV
}
