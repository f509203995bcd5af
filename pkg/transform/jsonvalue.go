package transform

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/dop251/goja"
)

// maxDepth bounds the nesting of the JSON a script gets.
const maxDepth = 512

var errJSON = errors.New("invalid JSON")

// jsonValue builds, in vm, the JavaScript value of the JSON text b: plain
// objects (keys in document order) and arrays, as JSON.parse would, but
// several times cheaper than goja's JSON.parse.
func jsonValue(vm *goja.Runtime, b []byte) (goja.Value, error) {
	p := jsonParser{vm: vm, b: b}
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	if p.skipSpace(); p.i != len(p.b) {
		return nil, fmt.Errorf("%w: data after the value at offset %d", errJSON, p.i)
	}
	return v, nil
}

type jsonParser struct {
	vm *goja.Runtime
	b  []byte
	i  int
}

func (p *jsonParser) skipSpace() {
	for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\n' || p.b[p.i] == '\r' || p.b[p.i] == '\t') {
		p.i++
	}
}

func (p *jsonParser) value(depth int) (goja.Value, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("%w: nested deeper than %d", errJSON, maxDepth)
	}
	p.skipSpace()
	if p.i >= len(p.b) {
		return nil, fmt.Errorf("%w: unexpected end", errJSON)
	}
	switch c := p.b[p.i]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		s, err := p.str()
		return p.vm.ToValue(s), err
	case c == 't':
		return p.literal("true", p.vm.ToValue(true))
	case c == 'f':
		return p.literal("false", p.vm.ToValue(false))
	case c == 'n':
		return p.literal("null", goja.Null())
	default:
		return p.number()
	}
}

func (p *jsonParser) object(depth int) (goja.Value, error) {
	obj := p.vm.NewObject()
	p.i++ // {
	for first := true; ; first = false {
		p.skipSpace()
		if p.i < len(p.b) && p.b[p.i] == '}' && first {
			p.i++
			return obj, nil
		}
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		if p.skipSpace(); p.i >= len(p.b) || p.b[p.i] != ':' {
			return nil, fmt.Errorf("%w: want ':' at offset %d", errJSON, p.i)
		}
		p.i++
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		if err := obj.Set(key, v); err != nil {
			return nil, err
		}
		if done, err := p.next('}'); done || err != nil {
			return obj, err
		}
	}
}

func (p *jsonParser) array(depth int) (goja.Value, error) {
	var items []any
	p.i++ // [
	for first := true; ; first = false {
		p.skipSpace()
		if p.i < len(p.b) && p.b[p.i] == ']' && first {
			p.i++
			return p.vm.NewArray(items...), nil
		}
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		items = append(items, v)
		if done, err := p.next(']'); done || err != nil {
			return p.vm.NewArray(items...), err
		}
	}
}

// next consumes ',' (done false) or end (done true).
func (p *jsonParser) next(end byte) (done bool, err error) {
	p.skipSpace()
	switch {
	case p.i < len(p.b) && p.b[p.i] == ',':
		p.i++
		return false, nil
	case p.i < len(p.b) && p.b[p.i] == end:
		p.i++
		return true, nil
	}
	return true, fmt.Errorf("%w: want ',' or %q at offset %d", errJSON, end, p.i)
}

func (p *jsonParser) str() (string, error) {
	if p.skipSpace(); p.i >= len(p.b) || p.b[p.i] != '"' {
		return "", fmt.Errorf("%w: want a string at offset %d", errJSON, p.i)
	}
	start, escaped := p.i, false
	for p.i++; p.i < len(p.b); p.i++ {
		switch p.b[p.i] {
		case '\\':
			escaped = true
			p.i++
		case '"':
			p.i++
			if !escaped {
				return string(p.b[start+1 : p.i-1]), nil
			}
			var s string
			if err := json.Unmarshal(p.b[start:p.i], &s); err != nil {
				return "", fmt.Errorf("%w: %w", errJSON, err)
			}
			return s, nil
		}
	}
	return "", fmt.Errorf("%w: unterminated string", errJSON)
}

func (p *jsonParser) literal(word string, v goja.Value) (goja.Value, error) {
	if len(p.b)-p.i < len(word) || string(p.b[p.i:p.i+len(word)]) != word {
		return nil, fmt.Errorf("%w: at offset %d", errJSON, p.i)
	}
	p.i += len(word)
	return v, nil
}

func (p *jsonParser) number() (goja.Value, error) {
	start, integral := p.i, true
	for ; p.i < len(p.b); p.i++ {
		c := p.b[p.i]
		if c == '.' || c == 'e' || c == 'E' {
			integral = false
		} else if (c < '0' || c > '9') && c != '-' && c != '+' {
			break
		}
	}
	text := string(p.b[start:p.i])
	if integral {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil && n > -1<<53 && n < 1<<53 {
			return p.vm.ToValue(n), nil
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || !json.Valid(p.b[start:p.i]) {
		return nil, fmt.Errorf("%w: bad number %q", errJSON, text)
	}
	return p.vm.ToValue(f), nil
}
