//go:build integration

package interop_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// tools are the non-Go programs the proof runs.
type tools struct {
	kcat, python string
}

// requireTools finds kcat and a python3 with the avro module. When one is
// missing the test skips, unless CI is set: then it fails.
func requireTools(t *testing.T) tools {
	t.Helper()
	var missing []string
	kcat, err := exec.LookPath("kcat")
	if err != nil {
		missing = append(missing, "kcat (apt-get install kcat)")
	}
	python := "/usr/bin/python3" // Debian's python3-avro lives here, not in a pyenv python
	if _, err := os.Stat(python); err != nil {
		python = "python3"
	}
	if out, err := exec.Command(python, "-c", "import avro.io, avro.schema").CombinedOutput(); err != nil {
		missing = append(missing, fmt.Sprintf("python3-avro (apt-get install python3-avro): %s %v", bytes.TrimSpace(out), err))
	}
	if len(missing) > 0 {
		msg := "interop: missing " + strings.Join(missing, "; ")
		if os.Getenv("CI") != "" {
			t.Fatal(msg + " — .ci/run installs them")
		}
		t.Skip(msg)
	}
	return tools{kcat: kcat, python: python}
}

// record is one Kafka record as kcat printed it.
type record struct {
	partition int
	offset    int64
	key       []byte
	headers   map[string]string
	value     []byte
}

// kcatFormat prints each record as a text line with the byte lengths of key
// and value, then the exact key and value bytes: binary-safe framing.
const kcatFormat = `%p\t%o\t%K\t%S\t%h\n%k%s\n`

// consume reads topic from the beginning to its current end with kcat.
func (tl tools) consume(ctx context.Context, t *testing.T, broker, topic string) []record {
	t.Helper()
	cmd := exec.CommandContext(ctx, tl.kcat, "-C", "-b", broker, "-t", topic, "-o", "beginning", "-e", "-q", "-f", kcatFormat)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("kcat %s: %v: %s", topic, err, stderr.Bytes())
	}
	recs, err := parseKcat(out)
	if err != nil {
		t.Fatalf("kcat %s output: %v", topic, err)
	}
	return recs
}

func parseKcat(out []byte) ([]record, error) {
	var recs []record
	r := bufio.NewReader(bytes.NewReader(out))
	for {
		line, err := r.ReadString('\n')
		if err == io.EOF && line == "" {
			return recs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("header line: %w", err)
		}
		rec, keyLen, valueLen, err := parseLine(strings.TrimSuffix(line, "\n"))
		if err != nil {
			return nil, err
		}
		body := make([]byte, max(keyLen, 0)+max(valueLen, 0)+1)
		if _, err := io.ReadFull(r, body); err != nil {
			return nil, fmt.Errorf("record body: %w", err)
		}
		rec.key = body[:max(keyLen, 0)]
		rec.value = body[max(keyLen, 0) : len(body)-1]
		recs = append(recs, rec)
	}
}

func parseLine(line string) (rec record, keyLen, valueLen int, err error) {
	f := strings.SplitN(line, "\t", 5)
	if len(f) != 5 {
		return rec, 0, 0, fmt.Errorf("line %q: want 5 tab-separated fields", line)
	}
	var errs [4]error
	rec.partition, errs[0] = strconv.Atoi(f[0])
	rec.offset, errs[1] = strconv.ParseInt(f[1], 10, 64)
	keyLen, errs[2] = strconv.Atoi(f[2])
	valueLen, errs[3] = strconv.Atoi(f[3])
	for _, e := range errs {
		if e != nil {
			return rec, 0, 0, fmt.Errorf("line %q: %w", line, e)
		}
	}
	rec.headers = map[string]string{}
	for _, kv := range strings.Split(f[4], ",") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			rec.headers[k] = v
		}
	}
	return rec, keyLen, valueLen, nil
}

// decoded is decode.py's output.
type decoded struct {
	SchemaID int            `json:"schemaId"`
	Record   map[string]any `json:"record"`
}

// decode runs testdata/decode.py on a framed value.
func (tl tools) decode(ctx context.Context, t *testing.T, registryURL string, value []byte) decoded {
	t.Helper()
	cmd := exec.CommandContext(ctx, tl.python, "testdata/decode.py", registryURL)
	cmd.Stdin = bytes.NewReader(value)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("decode.py: %v: %s", err, stderr.Bytes())
	}
	var d decoded
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("decode.py printed %q: %v", out, err)
	}
	return d
}
