package aws

import (
	"context"
	"sort"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cwreport/cwreport/jobs/source"
)

// trailConfig reads each trail with its status, event selectors and the
// access logging of its bucket, then the AWS Config recorders.
func (r *run) trailConfig(ctx context.Context) {
	r.trails(ctx)
	r.configRecorders(ctx)
}

func (r *run) trails(ctx context.Context) {
	list, err := r.describeTrails(ctx)
	if err != nil {
		r.fail("trails", err)
		return
	}
	out := []source.Trail{}
	for _, t := range list {
		arn := sdkaws.ToString(t.TrailARN)
		tr := source.Trail{
			Name:              sdkaws.ToString(t.Name),
			ARN:               arn,
			HomeRegion:        sdkaws.ToString(t.HomeRegion),
			MultiRegion:       sdkaws.ToBool(t.IsMultiRegionTrail),
			Organization:      sdkaws.ToBool(t.IsOrganizationTrail),
			LogFileValidation: sdkaws.ToBool(t.LogFileValidationEnabled),
			KMSKeyID:          sdkaws.ToString(t.KmsKeyId),
			S3Bucket:          sdkaws.ToString(t.S3BucketName),
			S3Prefix:          sdkaws.ToString(t.S3KeyPrefix),
			LogGroupARN:       sdkaws.ToString(t.CloudWatchLogsLogGroupArn),
		}
		// A shadow trail (homed elsewhere) answers status and selectors
		// only in its home region.
		opt := func(o *cloudtrail.Options) {
			if tr.HomeRegion != "" {
				o.Region = tr.HomeRegion
			}
		}
		name := arn
		if name == "" {
			name = tr.Name
		}
		if st, err := r.s.clients.cloudtrail.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: sdkaws.String(name)}, opt); err != nil {
			r.fail("trails:"+tr.Name+":status", err)
		} else {
			tr.Logging = sdkaws.ToBool(st.IsLogging)
		}
		if sel, err := r.s.clients.cloudtrail.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: sdkaws.String(name)}, opt); err != nil {
			r.fail("trails:"+tr.Name+":event_selectors", err)
		} else {
			tr.ManagementEvents, tr.ReadWriteType = managementEvents(sel)
		}
		if tr.S3Bucket != "" {
			s3opt := r.bucketRegion(ctx, tr.S3Bucket)
			if lg, err := r.s.clients.s3.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: sdkaws.String(tr.S3Bucket)}, s3opt); err != nil {
				r.fail("trails:"+tr.Name+":bucket_logging", err)
			} else {
				on := lg.LoggingEnabled != nil && sdkaws.ToString(lg.LoggingEnabled.TargetBucket) != ""
				tr.BucketAccessLogging = &on
			}
		}
		out = append(out, tr)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	r.mu.Lock()
	r.ds.Trails = out
	r.mu.Unlock()
}

// managementEvents reads whether the selectors log management events, and
// which (All, ReadOnly, WriteOnly), from basic or advanced selectors.
func managementEvents(sel *cloudtrail.GetEventSelectorsOutput) (bool, string) {
	for _, s := range sel.EventSelectors {
		if sdkaws.ToBool(s.IncludeManagementEvents) {
			return true, string(s.ReadWriteType)
		}
	}
	for _, a := range sel.AdvancedEventSelectors {
		if mgmt, rw := advancedManagement(a); mgmt {
			return true, rw
		}
	}
	return false, ""
}

// advancedManagement: a selector with eventCategory = Management logs
// management events; a readOnly field narrows them to ReadOnly or WriteOnly.
func advancedManagement(a cttypes.AdvancedEventSelector) (bool, string) {
	mgmt, rw := false, "All"
	for _, f := range a.FieldSelectors {
		switch sdkaws.ToString(f.Field) {
		case "eventCategory":
			for _, v := range f.Equals {
				if v == "Management" {
					mgmt = true
				}
			}
		case "readOnly":
			for _, v := range f.Equals {
				if v == "true" {
					rw = "ReadOnly"
				} else if v == "false" {
					rw = "WriteOnly"
				}
			}
		}
	}
	return mgmt, rw
}

// configRecorders reads AWS Config recorders and whether they record.
func (r *run) configRecorders(ctx context.Context) {
	recs, err := r.s.clients.config.DescribeConfigurationRecorders(ctx, &configservice.DescribeConfigurationRecordersInput{})
	if err != nil {
		r.fail("config_recorders", err)
		return
	}
	status, err := r.s.clients.config.DescribeConfigurationRecorderStatus(ctx, &configservice.DescribeConfigurationRecorderStatusInput{})
	recording := map[string]bool{}
	if err != nil {
		r.fail("config_recorders:status", err)
	} else {
		for _, s := range status.ConfigurationRecordersStatus {
			recording[sdkaws.ToString(s.Name)] = s.Recording
		}
	}
	out := []source.ConfigRecorder{}
	for _, c := range recs.ConfigurationRecorders {
		cr := source.ConfigRecorder{Name: sdkaws.ToString(c.Name), Recording: recording[sdkaws.ToString(c.Name)]}
		if g := c.RecordingGroup; g != nil {
			cr.AllSupported = g.AllSupported
			cr.IncludeGlobal = g.IncludeGlobalResourceTypes
		}
		out = append(out, cr)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	r.mu.Lock()
	r.ds.ConfigRecorders = out
	r.mu.Unlock()
}
