package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

const (
	testToken  = "s3cret"
	testPrefix = "/registry"

	schemaV1 = `{"type":"record","name":"Balance","namespace":"engage","fields":[
		{"name":"contactId","type":"string"}]}`
	// schemaV1Spaced is schemaV1 with other whitespace and key order.
	schemaV1Spaced = `{ "namespace": "engage", "name": "Balance", "type": "record",
		"fields": [ { "type": "string", "name": "contactId" } ] }`
	// schemaV2 adds a field with a default: BACKWARD and FORWARD compatible.
	schemaV2 = `{"type":"record","name":"Balance","namespace":"engage","fields":[
		{"name":"contactId","type":"string"},
		{"name":"balance","type":"double","default":0}]}`
	// schemaV2Required adds a field without a default: not BACKWARD compatible.
	schemaV2Required = `{"type":"record","name":"Balance","namespace":"engage","fields":[
		{"name":"contactId","type":"string"},
		{"name":"balance","type":"double"}]}`
	// schemaV3Dropped drops contactId, which has no default: not FORWARD compatible.
	schemaV3Dropped = `{"type":"record","name":"Balance","namespace":"engage","fields":[
		{"name":"balance","type":"double","default":0}]}`
	schemaOther = `{"type":"record","name":"Voucher","namespace":"engage","fields":[
		{"name":"id","type":"string"}]}`
)

// tokenAuthorizer accepts what engagehub's server accepts: a bearer token,
// or Basic auth with the token as password.
func tokenAuthorizer(r *http.Request) bool {
	if _, pass, ok := r.BasicAuth(); ok {
		return pass == testToken
	}
	return r.Header.Get("Authorization") == "Bearer "+testToken
}

// testServer serves a registry over log under /registry.
func testServer(t *testing.T, log Log) (*httptest.Server, *Registry) {
	t.Helper()
	reg := New(log)
	mux := http.NewServeMux()
	mux.Handle(testPrefix+"/", NewHandler(reg, WithPrefix(testPrefix), WithAuthorizer(tokenAuthorizer)))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, reg
}

// call sends a request with an optional JSON body and the bearer token when
// auth is set, and returns status and body.
func call(t *testing.T, srv *httptest.Server, method, path string, body any, auth bool) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, srv.URL+testPrefix+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ContentType)
	if auth {
		req.Header.Set("Authorization", "Bearer "+testToken)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != ContentType {
		t.Errorf("%s %s: content type %q, want %q", method, path, ct, ContentType)
	}
	return resp.StatusCode, out
}

// errorCode decodes a Confluent error body.
func errorCode(t *testing.T, body []byte) Error {
	t.Helper()
	var e Error
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body %q: %v", body, err)
	}
	return e
}

// mustRegister registers schema under subject and returns the version.
func mustRegister(t *testing.T, reg *Registry, subject, schema string) SubjectVersion {
	t.Helper()
	v, err := reg.Register(context.Background(), subject, schema)
	if err != nil {
		t.Fatalf("register %s: %v", subject, err)
	}
	return v
}
