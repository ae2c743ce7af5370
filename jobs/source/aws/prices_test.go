package aws

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cwreport/cwreport/config"
	"github.com/cwreport/cwreport/jobs/source"
)

// priceDoc is one Price List product document as GetProducts returns it
// (a JSON string per product), trimmed of attributes we do not read.
func priceDoc(typ, sku, usd, effective string) string {
	return fmt.Sprintf(`{"product":{"productFamily":"Compute Instance","attributes":{"capacitystatus":"Used","locationType":"AWS Region","instanceFamily":"General purpose","operatingSystem":"Linux","regionCode":"ap-northeast-2","instanceType":%q,"tenancy":"Shared","usagetype":"APN2-BoxUsage:%s","servicecode":"AmazonEC2","licenseModel":"No License required","preInstalledSw":"NA","location":"Asia Pacific (Seoul)","marketoption":"OnDemand","operation":"RunInstances"},"sku":%q},"serviceCode":"AmazonEC2","terms":{"OnDemand":{"%s.JRTCKXETXF":{"priceDimensions":{"%s.JRTCKXETXF.6YS6EN2CT7":{"unit":"Hrs","endRange":"Inf","description":"$%s per On Demand Linux %s Instance Hour","appliesTo":[],"rateCode":"%s.JRTCKXETXF.6YS6EN2CT7","beginRange":"0","pricePerUnit":{"USD":%q}}},"sku":%q,"effectiveDate":%q,"offerTermCode":"JRTCKXETXF","termAttributes":{}}},"Reserved":{"%s.38NPMPTW36":{"priceDimensions":{"%s.38NPMPTW36.2TG2D8R56U":{"unit":"Quantity","pricePerUnit":{"USD":"100"}}},"sku":%q,"effectiveDate":%q,"offerTermCode":"38NPMPTW36","termAttributes":{"LeaseContractLength":"3yr","OfferingClass":"standard","PurchaseOption":"Partial Upfront"}}}},"version":"20241101000000","publicationDate":"2024-11-01T00:00:00Z"}`,
		typ, typ, sku, sku, sku, usd, typ, sku, usd, sku, effective, sku, sku, sku, effective)
}

// TestPrices: the Price List API (kumo: missing; documented JSON shape)
// is asked once per page with an ANY_OF filter for every type; hourly
// on-demand USD prices land in the dataset in the requested order.
func TestPrices(t *testing.T) {
	ta := newTestAWS(t)
	var (
		mu    sync.Mutex
		calls = map[string]string{} // by page token: a retried attempt counts once
	)
	ta.handle("pricing:GetProducts", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			ServiceCode string
			Filters     []struct{ Type, Field, Value string }
			NextToken   string
		}
		readJSON(r, &in)
		var types string
		for _, f := range in.Filters {
			if f.Field == "instanceType" && f.Type == "ANY_OF" {
				types = f.Value
			}
		}
		mu.Lock()
		calls[in.NextToken] = types
		mu.Unlock()
		docs := []string{priceDoc("m6i.large", "SKU1", "0.1180000000", "2026-11-01T00:00:00Z"), priceDoc("t3.small", "SKU2", "0.0260000000", "2026-11-01T00:00:00Z")}
		token := `,"NextToken":"p2"`
		if in.NextToken == "p2" {
			docs = []string{priceDoc("r6i.2xlarge", "SKU3", "0.6080000000", "2026-11-01T00:00:00Z"), `{"product":{"attributes":{"instanceType":"x9.huge"}},"terms":{}}`}
			token = ""
		}
		b, _ := json.Marshal(docs)
		writeJSON(w, `{"FormatVersion":"aws_v1","PriceList":`+string(b)+token+`}`)
	})
	at := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	src := ta.source(config.Source{}, at)
	ds, err := src.Collect(context.Background(), source.Request{Window: source.Window{Start: at.Add(-time.Hour), End: at}, At: at, Needs: source.NeedPrices,
		PriceTypes: []string{"t3.small", "r6i.2xlarge", "m6i.large", "x9.huge"}})
	must(t, err)
	eff := mustTime("2026-11-01T00:00:00Z")
	eq(t, "prices", ds.Prices, []source.InstancePrice{
		{Region: "ap-northeast-2", InstanceType: "m6i.large", USDPerHour: 0.118, Effective: eff},
		{Region: "ap-northeast-2", InstanceType: "r6i.2xlarge", USDPerHour: 0.608, Effective: eff},
		{Region: "ap-northeast-2", InstanceType: "t3.small", USDPerHour: 0.026, Effective: eff},
	})
	if len(calls) != 2 || calls[""] != "m6i.large,r6i.2xlarge,t3.small,x9.huge" || ds.Stats["pricing:GetProducts"] != 2 {
		t.Errorf("GetProducts calls: %q", calls)
	}
	if len(ds.Gaps) != 1 || !strings.Contains(ds.Gaps[0].Error, "x9.huge") {
		t.Errorf("gaps: %+v", ds.Gaps)
	}
}
