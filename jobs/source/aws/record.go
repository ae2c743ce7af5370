package aws

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/cwreport/cwreport/jobs/source"
)

// trailRecord is the part of a CloudTrail record (the log file format, and
// LookupEvents' CloudTrailEvent) that reports use.
type trailRecord struct {
	EventID         string `json:"eventID"`
	EventTime       string `json:"eventTime"`
	EventName       string `json:"eventName"`
	EventSource     string `json:"eventSource"`
	AWSRegion       string `json:"awsRegion"`
	SourceIPAddress string `json:"sourceIPAddress"`
	UserAgent       string `json:"userAgent"`
	ErrorCode       string `json:"errorCode"`
	ErrorMessage    string `json:"errorMessage"`
	ReadOnly        *bool  `json:"readOnly"`
	UserIdentity    struct {
		Type        string `json:"type"`
		PrincipalID string `json:"principalId"`
		ARN         string `json:"arn"`
		AccountID   string `json:"accountId"`
		UserName    string `json:"userName"`
		InvokedBy   string `json:"invokedBy"`
		// SessionContext names the role (or federating user) behind an
		// assumed-role or federated session.
		SessionContext *struct {
			SessionIssuer struct {
				Type     string `json:"type"`
				ARN      string `json:"arn"`
				UserName string `json:"userName"`
			} `json:"sessionIssuer"`
		} `json:"sessionContext"`
	} `json:"userIdentity"`
	RequestParameters   json.RawMessage `json:"requestParameters"`
	ResponseElements    json.RawMessage `json:"responseElements"`
	AdditionalEventData json.RawMessage `json:"additionalEventData"`
	Resources           []struct {
		ARN string `json:"ARN"`
	} `json:"resources"`
}

// maxRequestParameters bounds the raw request JSON kept per event; larger
// ones (policy documents can be big) are dropped rather than cut, so what is
// kept is always valid JSON.
const maxRequestParameters = 32 << 10

// requestResourceKeys are request parameters that name what an event acted
// on, for events that carry no resources list.
var requestResourceKeys = []string{"groupId", "roleArn", "roleName", "policyArn", "userName", "groupName", "bucketName", "trailName", "keyId", "instanceId", "networkAclId", "vpcId", "logGroupName"}

// toEvent converts a record exactly: identity by type (Root is "root",
// IAMUser its name, AssumedRole and FederatedUser the issuing role or user,
// AWSService the service), ConsoleLogin's result, MFAUsed, error code and
// message, resources, and the request parameters of change events. ok is
// false for a record without id or time.
func (rec *trailRecord) toEvent() (source.TrailEvent, bool) {
	t, err := time.Parse(time.RFC3339, rec.EventTime)
	if err != nil || rec.EventID == "" {
		return source.TrailEvent{}, false
	}
	ev := source.TrailEvent{
		ID:           rec.EventID,
		Time:         t.UTC(),
		Name:         rec.EventName,
		Source:       rec.EventSource,
		Region:       rec.AWSRegion,
		SourceIP:     rec.SourceIPAddress,
		UserAgent:    rec.UserAgent,
		UserType:     rec.UserIdentity.Type,
		PrincipalARN: rec.UserIdentity.ARN,
		AccountID:    rec.UserIdentity.AccountID,
		ErrorCode:    rec.ErrorCode,
		ErrorMessage: rec.ErrorMessage,
		ReadOnly:     rec.ReadOnly != nil && *rec.ReadOnly,
	}
	id := rec.UserIdentity
	switch id.Type {
	case "Root":
		ev.UserName = "root"
	case "AssumedRole", "FederatedUser":
		if id.SessionContext != nil && id.SessionContext.SessionIssuer.UserName != "" {
			ev.UserName = id.SessionContext.SessionIssuer.UserName
		} else {
			ev.UserName = id.UserName
		}
	case "AWSService":
		ev.UserName = id.InvokedBy
	default:
		ev.UserName = id.UserName
	}
	if rec.EventName == "ConsoleLogin" {
		var resp struct {
			ConsoleLogin string `json:"ConsoleLogin"`
		}
		if json.Unmarshal(rec.ResponseElements, &resp) == nil {
			ev.LoginResult = resp.ConsoleLogin
		}
	}
	var extra struct {
		MFAUsed string `json:"MFAUsed"`
	}
	if json.Unmarshal(rec.AdditionalEventData, &extra) == nil {
		ev.MFAUsed = extra.MFAUsed
	}
	seen := map[string]bool{}
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			ev.Resources = append(ev.Resources, s)
		}
	}
	for _, res := range rec.Resources {
		add(res.ARN)
	}
	params := bytes.TrimSpace(rec.RequestParameters)
	if len(params) > 0 && params[0] == '{' {
		var m map[string]json.RawMessage
		if json.Unmarshal(params, &m) == nil {
			for _, k := range requestResourceKeys {
				var s string
				if json.Unmarshal(m[k], &s) == nil {
					add(s)
				}
			}
			// RunInstances, TerminateInstances and friends list instances.
			var set struct {
				Items []struct {
					InstanceID string `json:"instanceId"`
				} `json:"items"`
			}
			if json.Unmarshal(m["instancesSet"], &set) == nil {
				for _, it := range set.Items {
					add(it.InstanceID)
				}
			}
		}
		if !ev.ReadOnly && len(params) <= maxRequestParameters {
			var buf bytes.Buffer
			if json.Compact(&buf, params) == nil {
				ev.RequestParameters = buf.String()
			}
		}
	}
	ev.Name = clean(ev.Name)
	ev.UserName = clean(ev.UserName)
	ev.UserAgent = clean(ev.UserAgent)
	ev.ErrorMessage = clean(ev.ErrorMessage)
	return ev, true
}

// maxField bounds free-text fields an attacker can fill (user agents,
// error messages): escaping happens at render time; here they only stay
// valid UTF-8 and bounded.
const maxField = 1024

func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) > maxField {
		s = strings.ToValidUTF8(s[:maxField], "")
	}
	return s
}

// sortEvents orders events by time, then id.
func sortEvents(evs []source.TrailEvent) {
	sort.Slice(evs, func(i, j int) bool {
		if !evs[i].Time.Equal(evs[j].Time) {
			return evs[i].Time.Before(evs[j].Time)
		}
		return evs[i].ID < evs[j].ID
	})
}
