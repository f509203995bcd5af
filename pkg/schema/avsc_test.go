package schema

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/schemas"
)

var update = flag.Bool("update", false, "rewrite schemas/*.avsc and testdata/golden from the current code")

// TestSchemaFilesMatchCatalog keeps schemas/*.avsc in step with the event
// catalog; run with -update to regenerate them.
func TestSchemaFilesMatchCatalog(t *testing.T) {
	want := map[string][]byte{envelopeFile: render(t, envelopeSchema())}
	for _, spec := range event.Catalog() {
		want[string(spec.Type)+".avsc"] = render(t, typeSchema(spec))
	}
	for name, data := range want {
		if *update {
			if err := os.WriteFile(filepath.Join("..", "..", "schemas", name), data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := schemas.FS.ReadFile(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(got, data) {
			t.Errorf("%s differs from the catalog; run go test ./pkg/schema -run TestSchemaFiles -update", name)
		}
	}
}

const namespace = "engagehub.engage"

type avroRecord struct {
	Type      string      `json:"type"`
	Name      string      `json:"name"`
	Namespace string      `json:"namespace,omitempty"`
	Doc       string      `json:"doc"`
	Fields    []avroField `json:"fields"`
}

type avroField struct {
	Name    string          `json:"name"`
	Type    any             `json:"type"`
	Default json.RawMessage `json:"default,omitempty"`
	Doc     string          `json:"doc"`
}

func render(t *testing.T, r avroRecord) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func recordName(t event.Type) string {
	var b strings.Builder
	for _, part := range strings.Split(string(t), ".") {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

func headerFields() []avroField {
	ts := map[string]string{"type": "long", "logicalType": "timestamp-millis"}
	return []avroField{
		{Name: "eventId", Type: "string", Doc: "The event id: Engage's id or eventId, or one engagehub generated."},
		{Name: "eventType", Type: "string", Doc: "The Engage event type, e.g. point.balance.updated."},
		{Name: "tenant", Type: "string", Default: json.RawMessage(`""`), Doc: "The Engage tenant; empty when Engage sent none."},
		{Name: "source", Type: "string", Doc: "Who sent the event: engage, or the name of an internal service."},
		{Name: "receivedAt", Type: ts, Doc: "When engagehub received the event (UTC)."},
		{Name: "isEncrypted", Type: "boolean", Default: json.RawMessage(`false`), Doc: "Engage's isEncrypted flag."},
		{Name: "contactId", Type: "string", Default: json.RawMessage(`""`), Doc: "The Engage contact id; also the Kafka record key."},
	}
}

var rawField = avroField{Name: "raw", Type: "string",
	Doc: "The envelope exactly as received (JSON, UTF-8), unknown fields included."}

func envelopeSchema() avroRecord {
	return avroRecord{Type: "record", Name: "Envelope", Namespace: namespace,
		Doc:    "An Engage event whose type engagehub does not know, or whose payload is encrypted: the envelope fields and the raw JSON, no typed payload. Schema of the engage._unrecognized topic.",
		Fields: append(headerFields(), rawField)}
}

func typeSchema(spec event.Spec) avroRecord {
	name := recordName(spec.Type)
	payload := avroRecord{Type: "record", Name: name + "Payload",
		Doc: "The typed payload of " + string(spec.Type) + ", canonical camelCase names. Decimals are exact decimal text; fields Engage sends that are not listed here are kept in raw."}
	for _, f := range spec.Fields {
		payload.Fields = append(payload.Fields, payloadField(f))
	}
	fields := append(headerFields(), avroField{Name: "payload", Type: payload, Doc: "The payload fields, typed."}, rawField)
	return avroRecord{Type: "record", Name: name, Namespace: namespace,
		Doc: "Engage event " + string(spec.Type) + ": " + spec.Description, Fields: fields}
}

func payloadField(f event.Field) avroField {
	typ := avroType(f.Kind)
	if f.Required {
		return avroField{Name: f.Name, Type: typ, Doc: f.Doc}
	}
	return avroField{Name: f.Name, Type: []any{"null", typ}, Default: json.RawMessage("null"), Doc: f.Doc}
}

func avroType(k event.Kind) any {
	switch k {
	case event.KindBool:
		return "boolean"
	case event.KindInt:
		return "long"
	case event.KindTimestamp:
		return map[string]string{"type": "long", "logicalType": "timestamp-millis"}
	case event.KindAttributes:
		return map[string]string{"type": "map", "values": "string"}
	case event.KindChannels:
		return map[string]any{"type": "array", "items": channelSchema()}
	default: // string, id, decimal: text
		return "string"
	}
}

func channelSchema() avroRecord {
	opt := func(name, doc string) avroField {
		return avroField{Name: name, Type: []any{"null", "string"}, Default: json.RawMessage("null"), Doc: doc}
	}
	return avroRecord{Type: "record", Name: "RedemptionChannel",
		Doc: "One place a promotion can be redeemed.",
		Fields: []avroField{
			{Name: "type", Type: "string", Doc: "The channel: POS, ECOM or OTHER."},
			opt("valueType", "How value is meant, e.g. PERCENT or AMOUNT."),
			opt("value", "The value; a number is kept as exact decimal text."),
		}}
}
