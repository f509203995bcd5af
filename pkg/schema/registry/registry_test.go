package registry

import (
	"context"
	"errors"
	"slices"
	"testing"
)

func TestRegisterAssignsVersionsAndGlobalIDs(t *testing.T) {
	t.Parallel()
	log := &MemoryLog{}
	reg := New(log)
	steps := []struct {
		name          string
		subject       string
		schema        string
		wantID        int
		wantVersion   int
		wantNewRecord bool
	}{
		{"first schema gets id 1 version 1", "a-value", schemaV1, 1, 1, true},
		{"same schema is idempotent", "a-value", schemaV1, 1, 1, false},
		{"same schema reformatted is idempotent", "a-value", schemaV1Spaced, 1, 1, false},
		{"compatible change gets next id and version", "a-value", schemaV2, 2, 2, true},
		{"old schema again returns its version", "a-value", schemaV1, 1, 1, false},
		{"same text in another subject reuses the id", "b-value", schemaV1, 1, 1, true},
		{"new schema in another subject gets a fresh id", "c-value", schemaOther, 3, 1, true},
	}
	for _, s := range steps {
		before := len(log.Records())
		v := mustRegister(t, reg, s.subject, s.schema)
		if v.ID != s.wantID || v.Version != s.wantVersion {
			t.Fatalf("%s: got id %d version %d, want id %d version %d", s.name, v.ID, v.Version, s.wantID, s.wantVersion)
		}
		if got := len(log.Records()) > before; got != s.wantNewRecord {
			t.Fatalf("%s: appended a record = %v, want %v", s.name, got, s.wantNewRecord)
		}
	}
	if got := reg.Subjects(); !slices.Equal(got, []string{"a-value", "b-value", "c-value"}) {
		t.Errorf("subjects = %v", got)
	}
	latest, err := reg.Version("a-value", Latest)
	if err != nil || latest.Version != 2 || latest.Schema != schemaV2 {
		t.Errorf("latest = %+v, %v; want version 2 with schema as registered", latest, err)
	}
}

func TestReplayRebuildsSameIDsAfterRestart(t *testing.T) {
	t.Parallel()
	log := &MemoryLog{}
	first := New(log)
	mustRegister(t, first, "a-value", schemaV1)
	mustRegister(t, first, "a-value", schemaV2)
	mustRegister(t, first, "b-value", schemaOther)
	ctx := context.Background()
	if err := first.SetLevel(ctx, "b-value", None); err != nil {
		t.Fatal(err)
	}
	if err := first.SetLevel(ctx, "b-value", Full); err != nil {
		t.Fatal(err)
	}
	if _, err := first.DeleteSubject(ctx, "b-value"); err != nil {
		t.Fatal(err)
	}
	for name, records := range map[string][]Record{"full log": log.Records(), "compacted log": log.Compacted()} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			restarted := New(log)
			if err := Replay(restarted, records); err != nil {
				t.Fatal(err)
			}
			assertSameState(t, first, restarted)
			// A new schema after the restart continues the id sequence.
			next := New(&MemoryLog{})
			if err := Replay(next, records); err != nil {
				t.Fatal(err)
			}
			v := mustRegister(t, next, "c-value", `{"type":"enum","name":"E","symbols":["A"]}`)
			if v.ID != 4 {
				t.Errorf("new id after restart = %d, want 4", v.ID)
			}
		})
	}
}

func assertSameState(t *testing.T, want, got *Registry) {
	t.Helper()
	if !slices.Equal(want.Subjects(), got.Subjects()) {
		t.Fatalf("subjects %v, want %v", got.Subjects(), want.Subjects())
	}
	for id := 1; id <= 3; id++ {
		w, _ := want.SchemaByID(id)
		g, err := got.SchemaByID(id)
		if err != nil || g != w {
			t.Errorf("schema %d = %q, %v; want %q", id, g, err, w)
		}
	}
	l, err := got.SubjectLevel("b-value", false)
	if err != nil || l != Full {
		t.Errorf("b-value level = %q, %v; want FULL", l, err)
	}
	if _, err := got.Versions("b-value"); !errors.Is(err, ErrSubjectNotFound) {
		t.Errorf("deleted subject versions: %v, want ErrSubjectNotFound", err)
	}
}

func TestApply(t *testing.T) {
	t.Parallel()
	good := record{Kind: kindSchema, Subject: "s", Version: 1, ID: 1, Schema: schemaV1}
	tests := []struct {
		name    string
		key     string
		value   string
		wantErr error
	}{
		{"same record again is a no-op", "schema/s/1", string(mustValue(good)), nil},
		{"tombstone is ignored", "schema/s/1", "", nil},
		{"id bound to another schema conflicts", "schema/t/1",
			string(mustValue(record{Kind: kindSchema, Subject: "t", Version: 1, ID: 1, Schema: schemaOther})), ErrConflict},
		{"version bound to another id conflicts", "schema/s/1",
			string(mustValue(record{Kind: kindSchema, Subject: "s", Version: 1, ID: 7, Schema: schemaOther})), ErrConflict},
		{"key not matching value is refused", "schema/s/9", string(mustValue(good)), errAny},
		{"unknown kind is refused", "x", `{"kind":"x"}`, errAny},
		{"bad json is refused", "config", `{`, errAny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			reg := New(&MemoryLog{})
			if err := reg.Apply(good.encode()); err != nil {
				t.Fatal(err)
			}
			var value []byte
			if tt.value != "" {
				value = []byte(tt.value)
			}
			err := reg.Apply([]byte(tt.key), value)
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("Apply: %v", err)
			case tt.wantErr == errAny && err == nil:
				t.Fatal("Apply accepted a bad record")
			case tt.wantErr != nil && tt.wantErr != errAny && !errors.Is(err, tt.wantErr):
				t.Fatalf("Apply: %v, want %v", err, tt.wantErr)
			}
			if s, err := reg.SchemaByID(1); err != nil || s != schemaV1 {
				t.Errorf("schema 1 changed: %q, %v", s, err)
			}
		})
	}
}

var errAny = errors.New("any error")

func mustValue(r record) []byte {
	_, v := r.encode()
	return v
}

func TestDeleteSubjectKeepsIDsAndContinuesVersions(t *testing.T) {
	t.Parallel()
	reg := New(&MemoryLog{})
	mustRegister(t, reg, "s", schemaV1)
	deleted, err := reg.DeleteSubject(context.Background(), "s")
	if err != nil || !slices.Equal(deleted, []int{1}) {
		t.Fatalf("delete = %v, %v", deleted, err)
	}
	if _, err := reg.SchemaByID(1); err != nil {
		t.Errorf("id 1 after delete: %v", err)
	}
	v := mustRegister(t, reg, "s", schemaV2Required) // no live version: nothing to be compatible with
	if v.Version != 2 || v.ID != 2 {
		t.Errorf("re-register after delete = %+v, want version 2 id 2", v)
	}
}

type failingLog struct{}

func (failingLog) Append(context.Context, []byte, []byte) error { return errors.New("broker down") }

func TestRegisterFailsWithoutChangeWhenLogFails(t *testing.T) {
	t.Parallel()
	reg := New(failingLog{})
	_, err := reg.Register(context.Background(), "s", schemaV1)
	if !errors.Is(err, ErrBackendStore) {
		t.Fatalf("register: %v, want ErrBackendStore", err)
	}
	if _, err := reg.SchemaByID(1); !errors.Is(err, ErrSchemaNotFound) {
		t.Errorf("schema applied although the log refused it: %v", err)
	}
}

func TestConcurrentRegistersAgreeOnIDs(t *testing.T) {
	t.Parallel()
	log := &MemoryLog{}
	reg := New(log)
	if err := reg.SetLevel(context.Background(), "", None); err != nil {
		t.Fatal(err)
	}
	schemas := []string{schemaV1, schemaV2, schemaOther}
	ids := make([]int, 24)
	done := make(chan struct{})
	for i := range ids {
		go func() {
			defer func() { done <- struct{}{} }()
			v, err := reg.Register(context.Background(), "s", schemas[i%len(schemas)])
			if err != nil {
				t.Error(err)
				return
			}
			ids[i] = v.ID
		}()
	}
	for range ids {
		<-done
	}
	for i := range ids {
		if ids[i] != ids[i%len(schemas)] {
			t.Fatalf("schema %d got ids %d and %d", i%len(schemas), ids[i], ids[i%len(schemas)])
		}
	}
	if got := len(log.Records()); got != 1+len(schemas) {
		t.Errorf("log has %d records, want one config and %d registrations", got, len(schemas))
	}
}
