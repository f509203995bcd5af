package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"
)

// WriteJSON uses a faster encoder than encoding/json: clients must get the
// same bytes encoding/json (HTML left unescaped) would write.
func TestWriteJSONWritesWhatEncodingJSONWrites(t *testing.T) {
	at := time.Date(2026, 12, 2, 1, 2, 3, 456789000, time.UTC)
	for _, v := range []any{
		ErrorBody{Error: ErrorDetail{Code: "invalid", Message: `payload.email: "<a&b>" is not an e-mail — ümlaut ✓`}},
		map[string]any{"b": 1.5, "a": []any{int64(1) << 53, nil, true, "x\u2028y"}, "c": map[string]int{"z": 1, "y": 2}, "at": at},
		[]struct {
			ID   string  `json:"id"`
			Dup  bool    `json:"duplicate,omitempty"`
			Rate float64 `json:"rate"`
			Raw  []byte  `json:"raw"`
		}{{ID: "e1", Rate: 1e21}, {ID: "e2", Dup: true, Rate: 0.000001, Raw: []byte{0, 255}}},
	} {
		rec := httptest.NewRecorder()
		WriteJSON(rec, 200, v)
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		if got := rec.Body.String(); got != want.String() {
			t.Errorf("WriteJSON wrote\n%s\nencoding/json writes\n%s", got, want.String())
		}
	}
}
