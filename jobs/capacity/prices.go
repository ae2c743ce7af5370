package capacity

import (
	"fmt"
	"math"
	"sort"

	"github.com/cwreport/cwreport/jobs/internal/textfmt"
)

// The embedded on-demand price table: Linux, shared tenancy, no pre-installed
// software, USD per hour. It is the fallback when live prices (the AWS Price
// List API, option live_prices) are not available, and what every test and
// the demo use.
//
// Sources and dates:
//
//   - us-east-1: every price below is the AWS Price List API value as
//     generated into aws/karpenter-provider-aws,
//     pkg/providers/pricing/zz_generated.pricing_aws.go ("generated at
//     2026-02-09T13:43:35Z for us-east-1").
//   - ap-northeast-2 (Seoul): the quoted prices are the 4-vCPU sizes from a
//     public benchmark data set built from `aws pricing get-products` for
//     ap-northeast-2 (c6i, c7g, m5, m5a, m6i, m7g, r6i, r7g .xlarge), the
//     AWS Seoul price list for t3.xlarge/2xlarge and t3a.xlarge/2xlarge
//     (a Korean-language price table), t3.micro/small/medium/large (two
//     independent Seoul tables agreeing) and t4g.small. Both retrieved in
//     2026-11 through the project's code search; the m6a, c6a and r6a
//     families have no Seoul quote and are absent for that region.
//   - Sizes without a quote are scaled linearly by vCPU from the quoted size
//     of the same family (Derived is set). AWS prices these families
//     linearly: every us-east-1 family below is exactly linear.
//
// vCPU and memory come from the EC2 instance type specifications; the
// burstable baseline (per vCPU) from the EC2 User Guide, "Key concepts for
// burstable performance instances" (baseline utilization table).
const (
	PriceTableDate   = "2026-02-09 (us-east-1), 2026-11 (ap-northeast-2)"
	PriceTableSource = "AWS Price List API values (us-east-1 via aws/karpenter-provider-aws generated pricing; ap-northeast-2 via public get-products extracts), sizes without a quote scaled linearly by vCPU"
)

// txPriceSource is PriceTableSource for readers of either language.
var txPriceSource = tx{
	En: PriceTableSource,
	Ko: "AWS Price List API 가격 (us-east-1은 aws/karpenter-provider-aws 생성 가격표, ap-northeast-2는 공개된 get-products 추출본), 가격이 없는 크기는 vCPU에 비례해 환산",
}

// HoursPerMonth is AWS's convention for monthly on-demand cost.
const HoursPerMonth = 730

// InstanceType is what rightsizing needs to know about a type.
type InstanceType struct {
	Name      string
	Family    string
	Size      string
	VCPU      int
	MemoryGiB float64
	// BaselinePct is the burstable baseline per vCPU (T families), 0 for
	// fixed-performance types.
	BaselinePct float64
	// Vendor is intel, amd or graviton.
	Vendor string
}

// Burstable reports whether the type earns and spends CPU credits.
func (t InstanceType) Burstable() bool { return t.BaselinePct > 0 }

// Price is one hourly on-demand price.
type Price struct {
	USDPerHour float64
	// Derived is set when the size was scaled from another size's quote.
	Derived bool
	// Live is set when the price came from the Price List API this run.
	Live bool
}

// Monthly is the price of one instance for HoursPerMonth hours.
func (p Price) Monthly() float64 { return p.USDPerHour * HoursPerMonth }

type familySpec struct {
	vendor    string
	memPerCPU float64 // GiB per vCPU for M/C/R; 0 for T (table below)
	sizes     []string
}

var sizeVCPU = map[string]int{
	"nano": 2, "micro": 2, "small": 2, "medium": 2, "large": 2, "xlarge": 4, "2xlarge": 8,
	"4xlarge": 16, "8xlarge": 32, "12xlarge": 48, "16xlarge": 64,
}

// Burstable sizes: vCPU, memory and baseline per vCPU (EC2 User Guide).
var burstable = map[string]struct {
	vcpu     int
	mem      float64
	baseline float64
}{
	"nano": {2, 0.5, 5}, "micro": {2, 1, 10}, "small": {2, 2, 20}, "medium": {2, 4, 20},
	"large": {2, 8, 30}, "xlarge": {4, 16, 40}, "2xlarge": {8, 32, 40},
}

var (
	tSizes = []string{"nano", "micro", "small", "medium", "large", "xlarge", "2xlarge"}
	xSizes = []string{"large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"}
	gSizes = append([]string{"medium"}, xSizes...)
)

var families = map[string]familySpec{
	"t3": {"intel", 0, tSizes}, "t3a": {"amd", 0, tSizes}, "t4g": {"graviton", 0, tSizes},
	"m5": {"intel", 4, xSizes}, "m5a": {"amd", 4, xSizes}, "m6i": {"intel", 4, xSizes}, "m6a": {"amd", 4, xSizes}, "m7g": {"graviton", 4, gSizes},
	"c6i": {"intel", 2, xSizes}, "c6a": {"amd", 2, xSizes}, "c7g": {"graviton", 2, gSizes},
	"r6i": {"intel", 8, xSizes}, "r6a": {"amd", 8, xSizes}, "r7g": {"graviton", 8, gSizes},
}

// alternatives: the AMD and Graviton families to compare a family with, in
// order of preference (the first one priced in the region is used).
var alternatives = map[string]struct{ amd, graviton []string }{
	"t3":  {[]string{"t3a"}, []string{"t4g"}},
	"t3a": {nil, []string{"t4g"}},
	"m5":  {[]string{"m5a", "m6a"}, []string{"m7g"}},
	"m5a": {nil, []string{"m7g"}},
	"m6i": {[]string{"m6a", "m5a"}, []string{"m7g"}},
	"m6a": {nil, []string{"m7g"}},
	"c6i": {[]string{"c6a"}, []string{"c7g"}},
	"c6a": {nil, []string{"c7g"}},
	"r6i": {[]string{"r6a"}, []string{"r7g"}},
	"r6a": {nil, []string{"r7g"}},
}

// quoted holds the published prices per region; the rest is derived.
var quoted = map[string]map[string]float64{
	"us-east-1": {
		"t3.nano": 0.0052, "t3.micro": 0.0104, "t3.small": 0.0208, "t3.medium": 0.0416, "t3.large": 0.0832, "t3.xlarge": 0.1664, "t3.2xlarge": 0.3328,
		"t3a.nano": 0.0047, "t3a.micro": 0.0094, "t3a.small": 0.0188, "t3a.medium": 0.0376, "t3a.large": 0.0752, "t3a.xlarge": 0.1504, "t3a.2xlarge": 0.3008,
		"t4g.nano": 0.0042, "t4g.micro": 0.0084, "t4g.small": 0.0168, "t4g.medium": 0.0336, "t4g.large": 0.0672, "t4g.xlarge": 0.1344, "t4g.2xlarge": 0.2688,
		"m5.large": 0.096, "m5.xlarge": 0.192, "m5.2xlarge": 0.384, "m5.4xlarge": 0.768, "m5.8xlarge": 1.536, "m5.12xlarge": 2.304, "m5.16xlarge": 3.072,
		"m5a.large": 0.086, "m5a.xlarge": 0.172, "m5a.2xlarge": 0.344, "m5a.4xlarge": 0.688, "m5a.8xlarge": 1.376, "m5a.12xlarge": 2.064, "m5a.16xlarge": 2.752,
		"m6i.large": 0.096, "m6i.xlarge": 0.192, "m6i.2xlarge": 0.384, "m6i.4xlarge": 0.768, "m6i.8xlarge": 1.536, "m6i.12xlarge": 2.304, "m6i.16xlarge": 3.072,
		"m6a.large": 0.0864, "m6a.xlarge": 0.1728, "m6a.2xlarge": 0.3456, "m6a.4xlarge": 0.6912, "m6a.8xlarge": 1.3824, "m6a.12xlarge": 2.0736, "m6a.16xlarge": 2.7648,
		"m7g.medium": 0.0408, "m7g.large": 0.0816, "m7g.xlarge": 0.1632, "m7g.2xlarge": 0.3264, "m7g.4xlarge": 0.6528, "m7g.8xlarge": 1.3056, "m7g.12xlarge": 1.9584, "m7g.16xlarge": 2.6112,
		"c6i.large": 0.085, "c6i.xlarge": 0.17, "c6i.2xlarge": 0.34, "c6i.4xlarge": 0.68, "c6i.8xlarge": 1.36, "c6i.12xlarge": 2.04, "c6i.16xlarge": 2.72,
		"c6a.large": 0.0765, "c6a.xlarge": 0.153, "c6a.2xlarge": 0.306, "c6a.4xlarge": 0.612, "c6a.8xlarge": 1.224, "c6a.12xlarge": 1.836, "c6a.16xlarge": 2.448,
		"c7g.medium": 0.0363, "c7g.large": 0.0725, "c7g.xlarge": 0.145, "c7g.2xlarge": 0.29, "c7g.4xlarge": 0.58, "c7g.8xlarge": 1.16, "c7g.12xlarge": 1.74, "c7g.16xlarge": 2.32,
		"r6i.large": 0.126, "r6i.xlarge": 0.252, "r6i.2xlarge": 0.504, "r6i.4xlarge": 1.008, "r6i.8xlarge": 2.016, "r6i.12xlarge": 3.024, "r6i.16xlarge": 4.032,
		"r6a.large": 0.1134, "r6a.xlarge": 0.2268, "r6a.2xlarge": 0.4536, "r6a.4xlarge": 0.9072, "r6a.8xlarge": 1.8144, "r6a.12xlarge": 2.7216, "r6a.16xlarge": 3.6288,
		"r7g.medium": 0.0536, "r7g.large": 0.1071, "r7g.xlarge": 0.2142, "r7g.2xlarge": 0.4284, "r7g.4xlarge": 0.8568, "r7g.8xlarge": 1.7136, "r7g.12xlarge": 2.5704, "r7g.16xlarge": 3.4272,
	},
	"ap-northeast-2": {
		"t3.micro": 0.013, "t3.small": 0.026, "t3.medium": 0.052, "t3.large": 0.104, "t3.xlarge": 0.208, "t3.2xlarge": 0.416,
		"t3a.xlarge": 0.1872, "t3a.2xlarge": 0.3744,
		"t4g.small": 0.0208,
		"m5.xlarge": 0.236, "m5a.xlarge": 0.212, "m6i.xlarge": 0.236, "m7g.xlarge": 0.201,
		"c6i.xlarge": 0.192, "c7g.xlarge": 0.163,
		"r6i.xlarge": 0.304, "r7g.xlarge": 0.258,
	},
}

// PriceTable answers type and price questions for one region.
type PriceTable struct {
	Region string
	prices map[string]Price
}

var specs = buildSpecs()

func buildSpecs() map[string]InstanceType {
	out := map[string]InstanceType{}
	for fam, f := range families {
		for _, size := range f.sizes {
			t := InstanceType{Name: fam + "." + size, Family: fam, Size: size, Vendor: f.vendor}
			if f.memPerCPU == 0 {
				b := burstable[size]
				t.VCPU, t.MemoryGiB, t.BaselinePct = b.vcpu, b.mem, b.baseline
			} else {
				t.VCPU = sizeVCPU[size]
				if size == "medium" {
					t.VCPU = 1
				}
				t.MemoryGiB = float64(t.VCPU) * f.memPerCPU
			}
			out[t.Name] = t
		}
	}
	return out
}

// Spec returns the specification of a type the table knows.
func Spec(name string) (InstanceType, bool) {
	t, ok := specs[name]
	return t, ok
}

// TypeNames lists every type the table knows, sorted.
func TypeNames() []string {
	out := make([]string, 0, len(specs))
	for n := range specs {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Regions lists the regions the embedded table prices.
func Regions() []string {
	out := make([]string, 0, len(quoted))
	for r := range quoted {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// Prices returns the embedded table for region, with unquoted sizes derived
// linearly by vCPU from the closest quoted size of the family. ok is false
// when the region is not in the table.
func Prices(region string) (*PriceTable, bool) {
	q, ok := quoted[region]
	if !ok {
		return &PriceTable{Region: region, prices: map[string]Price{}}, false
	}
	pt := &PriceTable{Region: region, prices: map[string]Price{}}
	for name, usd := range q {
		pt.prices[name] = Price{USDPerHour: usd}
	}
	for fam, f := range families {
		for _, size := range f.sizes {
			name := fam + "." + size
			if _, ok := pt.prices[name]; ok {
				continue
			}
			ref, refOK := closestQuoted(q, fam, f.sizes, size)
			if !refOK {
				continue
			}
			ratio := float64(specs[name].VCPU) / float64(specs[ref].VCPU)
			if f.memPerCPU == 0 {
				// Burstable sizes double in price at every step, nano to
				// 2xlarge, although nano..large all have 2 vCPUs.
				ratio = tUnits(size) / tUnits(specs[ref].Size)
			}
			pt.prices[name] = Price{USDPerHour: textfmt.Round(q[ref]*ratio, 5), Derived: true}
		}
	}
	return pt, true
}

// tUnits is the price weight of a burstable size: nano 1, micro 2, ... 2xlarge 64.
func tUnits(size string) float64 {
	for i, s := range tSizes {
		if s == size {
			return math.Pow(2, float64(i))
		}
	}
	return math.NaN()
}

func closestQuoted(q map[string]float64, fam string, sizes []string, size string) (string, bool) {
	idx := -1
	for i, s := range sizes {
		if s == size {
			idx = i
		}
	}
	for d := 1; d < len(sizes); d++ {
		for _, j := range []int{idx + d, idx - d} {
			if j >= 0 && j < len(sizes) {
				if _, ok := q[fam+"."+sizes[j]]; ok {
					return fam + "." + sizes[j], true
				}
			}
		}
	}
	return "", false
}

// Get returns the hourly price of a type.
func (pt *PriceTable) Get(name string) (Price, bool) {
	p, ok := pt.prices[name]
	return p, ok
}

// Override replaces a price with a live one.
func (pt *PriceTable) Override(name string, usd float64) {
	pt.prices[name] = Price{USDPerHour: usd, Live: true}
}

// FamilyTypes returns the priced types of a family, smallest first.
func (pt *PriceTable) FamilyTypes(fam string) []InstanceType {
	f, ok := families[fam]
	if !ok {
		return nil
	}
	var out []InstanceType
	for _, s := range f.sizes {
		if _, ok := pt.prices[fam+"."+s]; ok {
			out = append(out, specs[fam+"."+s])
		}
	}
	return out
}

// altFamily returns the first priced AMD or Graviton family for fam that is
// not of an older generation: m6i never falls back to m5a, whose vCPUs are
// slower, so projecting the load by the vCPU ratio stays on the safe side.
func (pt *PriceTable) altFamily(fam, vendor string) string {
	a := alternatives[fam]
	list := a.amd
	if vendor == "graviton" {
		list = a.graviton
	}
	for _, f := range list {
		if generation(f) >= generation(fam) && len(pt.FamilyTypes(f)) > 0 {
			return f
		}
	}
	return ""
}

// generation is the digits after a family's class letters: m6i 6, t3a 3,
// m7g 7; 0 when there are none.
func generation(fam string) int {
	g, digits := 0, false
	for _, c := range fam {
		switch {
		case c >= '0' && c <= '9':
			g, digits = g*10+int(c-'0'), true
		case digits:
			return g
		}
	}
	return g
}

// describe is "m6i.xlarge (4 vCPU, 16 GiB)".
func describe(t InstanceType) string {
	return fmt.Sprintf("%s (%d vCPU, %g GiB)", t.Name, t.VCPU, t.MemoryGiB)
}
