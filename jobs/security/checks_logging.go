package security

import (
	"fmt"
	"strings"

	"github.com/cwreport/cwreport/jobs/source"
	"github.com/cwreport/cwreport/report"
	"github.com/cwreport/cwreport/report/i18n"
)

// Dataset parts the logging checks read (the names sources use in gaps).
const (
	partTrails    = "trails"
	partRecorders = "config_recorders"
)

func loggingChecks() []Check {
	return []Check{
		{
			ID: "cloudtrail.multi_region", CIS: "3.1", Category: Monitoring, Severity: report.SeverityHigh, Needs: source.NeedTrailConfig,
			Title: i18n.Text{En: "A multi-region trail is logging management events (read and write)", Ko: "멀티 리전 트레일이 관리 이벤트(읽기·쓰기)를 기록 중"},
			Remediation: i18n.Text{
				En: "Create or update a trail with --is-multi-region-trail, include management events with ReadWriteType All, and start logging (aws cloudtrail start-logging).",
				Ko: "--is-multi-region-trail 옵션으로 트레일을 만들거나 수정하고, 관리 이벤트를 ReadWriteType All로 포함한 뒤 로깅을 시작하십시오(aws cloudtrail start-logging).",
			},
			Run: checkMultiRegionTrail,
		},
		{
			ID: "cloudtrail.log_file_validation", CIS: "3.2", Category: Monitoring, Severity: report.SeverityMedium, Needs: source.NeedTrailConfig,
			Title: i18n.Text{En: "Every trail has log file validation enabled", Ko: "모든 트레일에 로그 파일 무결성 검증 사용"},
			Remediation: i18n.Text{
				En: "Enable log file validation: aws cloudtrail update-trail --name <trail> --enable-log-file-validation.",
				Ko: "로그 파일 검증을 켜십시오: aws cloudtrail update-trail --name <trail> --enable-log-file-validation",
			},
			Run: eachTrail("log file validation", "로그 파일 검증", func(t source.Trail) (bool, bool) { return t.LogFileValidation, true }),
		},
		{
			ID: "config.recording", CIS: "3.3", Category: Monitoring, Severity: report.SeverityMedium, Needs: source.NeedTrailConfig,
			Title: i18n.Text{En: "AWS Config records all supported resources, including global ones", Ko: "AWS Config가 전역 리소스를 포함한 모든 리소스를 기록 중"},
			Remediation: i18n.Text{
				En: "Record all supported resources including global types (put-configuration-recorder --recording-group allSupported=true,includeGlobalResourceTypes=true) and start the recorder.",
				Ko: "전역 리소스를 포함해 모든 리소스를 기록하도록 설정하고(put-configuration-recorder --recording-group allSupported=true,includeGlobalResourceTypes=true) 레코더를 시작하십시오.",
			},
			Run: checkConfigRecording,
		},
		{
			ID: "cloudtrail.bucket_access_logging", CIS: "3.4", Category: Monitoring, Severity: report.SeverityLow, Needs: source.NeedTrailConfig,
			Title: i18n.Text{En: "The trail's S3 bucket has server access logging", Ko: "트레일 S3 버킷에 서버 액세스 로깅 사용"},
			Remediation: i18n.Text{
				En: "Enable server access logging on each trail bucket, into a separate bucket: aws s3api put-bucket-logging --bucket <trail-bucket>.",
				Ko: "각 트레일 버킷에 서버 액세스 로깅을 별도 버킷으로 켜십시오: aws s3api put-bucket-logging --bucket <trail-bucket>",
			},
			Run: eachTrail("bucket access logging", "버킷 액세스 로깅", func(t source.Trail) (bool, bool) {
				if t.BucketAccessLogging == nil {
					return false, false
				}
				return *t.BucketAccessLogging, true
			}),
		},
		{
			ID: "cloudtrail.kms_encryption", CIS: "3.5", Category: Monitoring, Severity: report.SeverityMedium, Needs: source.NeedTrailConfig,
			Title: i18n.Text{En: "Trail logs are encrypted with a KMS key (SSE-KMS)", Ko: "트레일 로그가 KMS 키(SSE-KMS)로 암호화됨"},
			Remediation: i18n.Text{
				En: "Encrypt the trail with a customer managed KMS key whose policy lets CloudTrail use it: aws cloudtrail update-trail --name <trail> --kms-id <key>.",
				Ko: "CloudTrail이 사용할 수 있는 키 정책을 가진 고객 관리형 KMS 키로 트레일을 암호화하십시오: aws cloudtrail update-trail --name <trail> --kms-id <key>",
			},
			Run: eachTrail("KMS encryption", "KMS 암호화", func(t source.Trail) (bool, bool) { return t.KMSKeyID != "", true }),
		},
	}
}

// readWriteAll reports whether the trail records both read and write
// management events; ok is false when the selectors were not read.
func readWriteAll(t source.Trail) (all, ok bool) {
	switch strings.ToLower(t.ReadWriteType) {
	case "all":
		return true, true
	case "":
		return false, false
	}
	return false, true
}

// auditTrails are the trails CIS 3.1 and 4.x accept: multi-region, logging,
// management events read and write. maybe lists trails that would qualify
// but whose status or event selectors could not be read (the aws source
// records "trails:<name>:status" and "trails:<name>:event_selectors").
func (e *Env) auditTrails() (ok, maybe []source.Trail) {
	for _, t := range e.Data.Trails {
		statusKnown := !gapCovers(e.Data.Gaps, "trails:"+t.Name+":status")
		if !t.MultiRegion || (statusKnown && !t.Logging) || (t.ReadWriteType != "" && !t.ManagementEvents) {
			continue
		}
		switch all, known := readWriteAll(t); {
		case all && statusKnown:
			ok = append(ok, t)
		case !known || !statusKnown:
			maybe = append(maybe, t)
		}
	}
	return ok, maybe
}

func checkMultiRegionTrail(e *Env) Result {
	if e.unreadExact(partTrails) {
		return unknown(partTrails)
	}
	ts := e.Data.Trails
	ok, maybe := e.auditTrails()
	if len(ok) > 0 {
		names := trailNames(ok)
		return Result{Status: Pass, Summary: i18n.Text{
			En: "multi-region trail logging all management events: " + strings.Join(names, ", "),
			Ko: "모든 관리 이벤트를 기록하는 멀티 리전 트레일: " + strings.Join(names, ", "),
		}, Evidence: map[string]any{"trails": names}}
	}
	if len(maybe) > 0 {
		r := unknown("trails:<name>:status", "trails:<name>:event_selectors")
		r.Evidence = map[string]any{"trails": trailNames(maybe)}
		return r
	}
	if len(ts) == 0 {
		return fail("no CloudTrail trail exists", "CloudTrail 트레일이 없습니다", nil, map[string]any{"trails": []string{}})
	}
	var why []string
	for _, t := range ts {
		var miss []string
		if !t.MultiRegion {
			miss = append(miss, "single-region")
		}
		if !t.Logging {
			miss = append(miss, "not logging")
		}
		if all, _ := readWriteAll(t); !t.ManagementEvents || !all {
			miss = append(miss, "management events not read+write")
		}
		why = append(why, t.Name+" ("+strings.Join(miss, ", ")+")")
	}
	return fail("no trail is multi-region, logging and recording all management events: "+strings.Join(why, "; "),
		"멀티 리전이면서 로깅 중이고 모든 관리 이벤트를 기록하는 트레일이 없습니다: "+strings.Join(why, "; "),
		trailNames(ts), map[string]any{"trails": why})
}

// eachTrail builds a check that every trail must pass: test returns
// (passes, known). No trail at all fails: there is nothing to validate.
func eachTrail(en, ko string, test func(source.Trail) (bool, bool)) func(*Env) Result {
	return func(e *Env) Result {
		if e.unreadExact(partTrails) {
			return unknown(partTrails)
		}
		ts := e.Data.Trails
		if len(ts) == 0 {
			return fail("no CloudTrail trail exists", "CloudTrail 트레일이 없습니다", nil, nil)
		}
		var bad, unk []string
		for _, t := range ts {
			switch ok, known := test(t); {
			case !known:
				unk = append(unk, t.Name)
			case !ok:
				bad = append(bad, t.Name)
			}
		}
		switch {
		case len(bad) > 0:
			return fail(fmt.Sprintf("%s is off on %s", en, strings.Join(bad, ", ")),
				fmt.Sprintf("%s 설정이 꺼져 있는 트레일: %s", ko, strings.Join(bad, ", ")), bad, map[string]any{"trails": bad})
		case len(unk) > 0:
			r := unknown("trails:" + strings.ReplaceAll(strings.ToLower(en), " ", "_"))
			r.Evidence = map[string]any{"trails": unk}
			return r
		}
		names := trailNames(ts)
		return Result{Status: Pass, Summary: i18n.Text{
			En: en + " on every trail: " + strings.Join(names, ", "),
			Ko: "모든 트레일에 " + ko + " 사용: " + strings.Join(names, ", "),
		}, Evidence: map[string]any{"trails": names}}
	}
}

func trailNames(ts []source.Trail) []string {
	out := make([]string, 0, len(ts))
	for _, t := range ts {
		out = append(out, t.Name)
	}
	return out
}

func checkConfigRecording(e *Env) Result {
	if e.unread(partRecorders) {
		return unknown(partRecorders)
	}
	rs := e.Data.ConfigRecorders
	if len(rs) == 0 {
		return fail("no AWS Config recorder in this region", "이 리전에 AWS Config 레코더가 없습니다", nil, nil)
	}
	var bad []string
	global := false
	for _, r := range rs {
		var miss []string
		if !r.Recording {
			miss = append(miss, "not recording")
		}
		if !r.AllSupported {
			miss = append(miss, "not all supported resources")
		}
		if len(miss) > 0 {
			bad = append(bad, r.Name+" ("+strings.Join(miss, ", ")+")")
		}
		if r.Recording && r.IncludeGlobal {
			global = true
		}
	}
	if !global {
		bad = append(bad, "no recorder includes global resources (IAM)")
	}
	if len(bad) > 0 {
		return fail("AWS Config is not recording everything: "+strings.Join(bad, "; "),
			"AWS Config가 모든 리소스를 기록하지 않습니다: "+strings.Join(bad, "; "), nil, map[string]any{"recorders": bad})
	}
	return pass("AWS Config records all supported resources, including global ones",
		"AWS Config가 전역 리소스를 포함해 모든 리소스를 기록 중입니다")
}
