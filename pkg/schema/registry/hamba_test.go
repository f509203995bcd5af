package registry_test

import (
	"context"
	"encoding/binary"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/hamba/avro/v2"
	hamba "github.com/hamba/avro/v2/registry"

	"github.com/engagehub/engagehub/pkg/schema/registry"
)

const balanceSchema = `{"type":"record","name":"PointBalanceUpdated","namespace":"engage","fields":[
	{"name":"contactId","type":"string"},
	{"name":"balance","type":"double"}]}`

type balance struct {
	ContactID string  `avro:"contactId"`
	Balance   float64 `avro:"balance"`
}

// mountedRegistry serves the built-in registry under /registry, as the
// engagehub server does, with the token accepted as Basic password.
func mountedRegistry(t *testing.T) string {
	t.Helper()
	auth := func(r *http.Request) bool {
		_, pass, ok := r.BasicAuth()
		return ok && pass == "tok"
	}
	mux := http.NewServeMux()
	h := registry.NewHandler(registry.New(&registry.MemoryLog{}),
		registry.WithPrefix("/registry"), registry.WithAuthorizer(auth))
	mux.Handle("/registry/", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL + "/registry"
}

// frame returns Confluent framing: magic 0, 4-byte big-endian id, Avro.
func frame(id int, payload []byte) []byte {
	out := []byte{0, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(out[1:], uint32(id))
	return append(out, payload...)
}

func TestStockHambaClientRoundTripsConfluentFraming(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	client, err := hamba.NewClient(mountedRegistry(t), hamba.WithBasicAuth("engagehub", "tok"))
	if err != nil {
		t.Fatal(err)
	}
	const subject = "engage.point.balance.updated-value"
	id, schema, err := client.CreateSchema(ctx, subject, balanceSchema)
	if err != nil {
		t.Fatalf("CreateSchema: %v", err)
	}
	payload, err := avro.Marshal(schema, balance{ContactID: "c-1", Balance: 12.5})
	if err != nil {
		t.Fatal(err)
	}
	var got balance
	if err := hamba.NewDecoder(client).Decode(ctx, frame(id, payload), &got); err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if got != (balance{ContactID: "c-1", Balance: 12.5}) {
		t.Errorf("decoded %+v", got)
	}

	if again, _, err := client.IsRegistered(ctx, subject, balanceSchema); err != nil || again != id {
		t.Errorf("IsRegistered = %d, %v; want %d", again, err, id)
	}
	info, err := client.GetLatestSchemaInfo(ctx, subject)
	if err != nil || info.ID != id || info.Version != 1 {
		t.Errorf("GetLatestSchemaInfo = %+v, %v", info, err)
	}
	if subjects, err := client.GetSubjects(ctx); err != nil || !slices.Equal(subjects, []string{subject}) {
		t.Errorf("GetSubjects = %v, %v", subjects, err)
	}
	if ok, err := client.IsCompatible(ctx, subject, balanceSchema); err != nil || !ok {
		t.Errorf("IsCompatible = %v, %v", ok, err)
	}
	if err := client.SetCompatibilityLevel(ctx, subject, "FULL"); err != nil {
		t.Fatalf("SetCompatibilityLevel: %v", err)
	}
	if lvl, err := client.GetCompatibilityLevel(ctx, subject); err != nil || lvl != "FULL" {
		t.Errorf("GetCompatibilityLevel = %q, %v", lvl, err)
	}
}

func TestStockHambaClientSeesConfluentErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	base := mountedRegistry(t)
	anonymous, _ := hamba.NewClient(base)
	if _, _, err := anonymous.CreateSchema(ctx, "s", balanceSchema); !isCode(err, registry.CodeUnauthorized) {
		t.Errorf("anonymous CreateSchema: %v, want 401", err)
	}
	if _, err := anonymous.GetSchema(ctx, 42); !isCode(err, registry.CodeSchemaNotFound) {
		t.Errorf("GetSchema(42): %v, want 40403", err)
	}
}

func isCode(err error, code int) bool {
	var e hamba.Error
	return errors.As(err, &e) && e.Code == code
}

func TestClientAgainstBuiltInRegistry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	base := mountedRegistry(t)
	c, err := registry.NewClient(base, registry.WithBasicAuth("engagehub", "tok"))
	if err != nil {
		t.Fatal(err)
	}
	const subject = "team/with-slash-value"
	id, err := c.Register(ctx, subject, balanceSchema)
	if err != nil || id != 1 {
		t.Fatalf("Register = %d, %v", id, err)
	}
	if again, err := c.Register(ctx, subject, balanceSchema); err != nil || again != id {
		t.Errorf("Register again = %d, %v", again, err)
	}
	if s, err := c.Schema(ctx, id); err != nil || s != balanceSchema {
		t.Errorf("Schema = %q, %v", s, err)
	}
	latest, err := c.Latest(ctx, subject)
	if err != nil || latest.ID != id || latest.Version != 1 || latest.Subject != subject {
		t.Errorf("Latest = %+v, %v", latest, err)
	}
	tests := []struct {
		name string
		call func() error
		want error
	}{
		{"unknown id", func() error { _, err := c.Schema(ctx, 99); return err }, registry.ErrSchemaNotFound},
		{"unknown subject", func() error { _, err := c.Latest(ctx, "nope"); return err }, registry.ErrSubjectNotFound},
		{"incompatible schema", func() error {
			_, err := c.Register(ctx, subject, `{"type":"record","name":"X","fields":[]}`)
			return err
		}, registry.ErrIncompatibleSchema},
		{"malformed schema", func() error { _, err := c.Register(ctx, subject, `{`); return err }, registry.ErrInvalidSchema},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestClientSendsBearerToken(t *testing.T) {
	t.Parallel()
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Get("Authorization")
		w.Header().Set("Content-Type", registry.ContentType)
		_, _ = w.Write([]byte(`{"id":7}`))
	}))
	t.Cleanup(srv.Close)
	c, err := registry.NewClient(srv.URL, registry.WithBearerToken("t0k"))
	if err != nil {
		t.Fatal(err)
	}
	if id, err := c.Register(context.Background(), "s", balanceSchema); err != nil || id != 7 {
		t.Fatalf("Register = %d, %v", id, err)
	}
	if got != "Bearer t0k" {
		t.Errorf("Authorization = %q", got)
	}
}
