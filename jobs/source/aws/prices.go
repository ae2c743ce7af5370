package aws

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pricing"
	pricingtypes "github.com/aws/aws-sdk-go-v2/service/pricing/types"

	"github.com/cwreport/cwreport/jobs/source"
)

// pricingRegion is where the Price List API answers (it also runs in
// eu-central-1 and ap-south-1; us-east-1 serves every region's prices).
const pricingRegion = "us-east-1"

// prices reads the on-demand Linux prices of Request.PriceTypes in the
// source's region with GetProducts: one ANY_OF filter on the instance type
// covers every type, so the calls are ceil(products/100), not one per type.
func (r *run) prices(ctx context.Context) {
	types := append([]string(nil), r.req.PriceTypes...)
	if len(types) == 0 {
		return
	}
	sort.Strings(types)
	in := &pricing.GetProductsInput{
		ServiceCode:   sdkaws.String("AmazonEC2"),
		FormatVersion: sdkaws.String("aws_v1"),
		MaxResults:    sdkaws.Int32(100),
		Filters: []pricingtypes.Filter{
			{Type: pricingtypes.FilterTypeAnyOf, Field: sdkaws.String("instanceType"), Value: sdkaws.String(strings.Join(types, ","))},
			{Type: pricingtypes.FilterTypeTermMatch, Field: sdkaws.String("regionCode"), Value: sdkaws.String(r.s.region)},
			{Type: pricingtypes.FilterTypeTermMatch, Field: sdkaws.String("operatingSystem"), Value: sdkaws.String("Linux")},
			{Type: pricingtypes.FilterTypeTermMatch, Field: sdkaws.String("tenancy"), Value: sdkaws.String("Shared")},
			{Type: pricingtypes.FilterTypeTermMatch, Field: sdkaws.String("preInstalledSw"), Value: sdkaws.String("NA")},
			{Type: pricingtypes.FilterTypeTermMatch, Field: sdkaws.String("capacitystatus"), Value: sdkaws.String("Used")},
			{Type: pricingtypes.FilterTypeTermMatch, Field: sdkaws.String("licenseModel"), Value: sdkaws.String("No License required")},
		},
	}
	opt := func(o *pricing.Options) {
		if r.s.cfg.EndpointURL == "" {
			o.Region = pricingRegion
		}
	}
	byType := map[string]source.InstancePrice{}
	for {
		resp, err := r.s.clients.pricing.GetProducts(ctx, in, opt)
		if err != nil {
			r.fail("prices", err)
			return
		}
		for _, doc := range resp.PriceList {
			p, err := parsePrice(doc)
			if err != nil {
				r.addGap(source.Gap{Source: SourceName, Part: "prices", API: "pricing:GetProducts", Error: err.Error()})
				continue
			}
			if p.Region == "" {
				p.Region = r.s.region
			}
			// Keep the newest price when a type appears twice.
			if old, ok := byType[p.InstanceType]; !ok || p.Effective.After(old.Effective) {
				byType[p.InstanceType] = p
			}
		}
		if resp.NextToken == nil || *resp.NextToken == "" {
			break
		}
		in.NextToken = resp.NextToken
	}
	out := make([]source.InstancePrice, 0, len(byType))
	for _, t := range types {
		if p, ok := byType[t]; ok {
			out = append(out, p)
		}
	}
	r.mu.Lock()
	r.ds.Prices = out
	r.mu.Unlock()
}

// parsePrice reads one Price List product document: its instance type
// and region, and the hourly USD price of its on-demand term.
func parsePrice(doc string) (source.InstancePrice, error) {
	var d struct {
		Product struct {
			Attributes struct {
				InstanceType string `json:"instanceType"`
				RegionCode   string `json:"regionCode"`
			} `json:"attributes"`
		} `json:"product"`
		Terms struct {
			OnDemand map[string]struct {
				EffectiveDate   string `json:"effectiveDate"`
				PriceDimensions map[string]struct {
					Unit         string            `json:"unit"`
					PricePerUnit map[string]string `json:"pricePerUnit"`
				} `json:"priceDimensions"`
			} `json:"OnDemand"`
		} `json:"terms"`
	}
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return source.InstancePrice{}, fmt.Errorf("read price list document: %w", err)
	}
	p := source.InstancePrice{Region: d.Product.Attributes.RegionCode, InstanceType: d.Product.Attributes.InstanceType}
	for _, term := range d.Terms.OnDemand {
		for _, dim := range term.PriceDimensions {
			if dim.Unit != "Hrs" {
				continue
			}
			usd, err := strconv.ParseFloat(dim.PricePerUnit["USD"], 64)
			if err != nil {
				continue
			}
			p.USDPerHour = usd
			p.Effective, _ = time.Parse(time.RFC3339, term.EffectiveDate)
			p.Effective = p.Effective.UTC()
			return p, nil
		}
	}
	return p, fmt.Errorf("price list document for %q has no hourly on-demand USD price", p.InstanceType)
}
