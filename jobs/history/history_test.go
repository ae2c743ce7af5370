package history

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"
)

func TestRunsAndDeliveriesSurviveReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state", "history.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	id, err := s.StartRun(ctx, Run{Key: "morning/2026-11-24", Job: "morning", Period: "2026-11-24", ScheduledAt: at, Started: at, Trigger: "schedule"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.FinishRun(ctx, id, at.Add(time.Minute), StatusDegraded, "", json.RawMessage(`[{"part":"alarm_history"}]`), []Artifact{{Name: "morning-2026-11-24.md", SHA256: "ab", Size: 3}}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordDelivery(ctx, Delivery{RunKey: "morning/2026-11-24", Target: "slack", Status: DeliveryFailed, Attempts: 3, Error: "boom", At: at}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordDelivery(ctx, Delivery{RunKey: "morning/2026-11-24", Target: "s3", Status: DeliveryOK, Attempts: 1, Detail: map[string]string{"version_id": "v1"}, At: at}); err != nil {
		t.Fatal(err)
	}
	// A second run crashes mid-way.
	if _, err := s.StartRun(ctx, Run{Key: "morning/2026-11-25", Job: "morning", Period: "2026-11-25", ScheduledAt: at.Add(24 * time.Hour), Started: at.Add(24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if ok, _ := s.Delivered(ctx, "morning/2026-11-24", "s3"); !ok {
		t.Error("s3 delivery forgotten")
	}
	if ok, _ := s.Delivered(ctx, "morning/2026-11-24", "slack"); ok {
		t.Error("failed slack delivery counted as delivered")
	}
	if ok, _ := s.Completed(ctx, "morning/2026-11-24"); !ok {
		t.Error("degraded run not counted as completed")
	}
	runs, err := s.Recent(ctx, "morning", 10)
	if err != nil || len(runs) != 2 {
		t.Fatalf("recent: %v %d", err, len(runs))
	}
	if runs[0].Status != StatusInterrupted {
		t.Errorf("crashed run status %q, want interrupted", runs[0].Status)
	}
	if len(runs[1].Deliveries) != 2 || runs[1].Deliveries[1].Detail["version_id"] != "v1" || runs[1].Artifacts[0].Name != "morning-2026-11-24.md" {
		t.Errorf("run details lost: %+v", runs[1])
	}
	last, _ := s.LastScheduled(ctx, "morning")
	if !last.Equal(at.Add(24 * time.Hour)) {
		t.Errorf("last scheduled %v", last)
	}
}
