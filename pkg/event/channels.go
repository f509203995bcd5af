package event

import (
	"encoding/json"
	"strconv"
)

// Redemption channel fields, canonical names.
const (
	channelType      = "type"
	channelValueType = "valueType"
	channelValue     = "value"
)

// toChannels reads a promotion's redemptionChannels array. Each element
// must be an object with a string "type"; "valueType" and "value" are
// optional, and a numeric value becomes its decimal text.
func toChannels(path string, v json.RawMessage) ([]map[string]any, *FieldError) {
	var buf [8][]byte
	items, ok := elements(v, buf[:0])
	if len(v) == 0 || v[0] != '[' || !ok {
		return nil, fieldErr(path, "must be an array")
	}
	out := make([]map[string]any, 0, len(items))
	for i, item := range items {
		ch, ferr := toChannel(path+"["+strconv.Itoa(i)+"]", item)
		if ferr != nil {
			return nil, ferr
		}
		out = append(out, ch)
	}
	return out, nil
}

func toChannel(path string, v json.RawMessage) (map[string]any, *FieldError) {
	var buf [8]member
	m, ok := members(v, buf[:0])
	if len(v) == 0 || v[0] != '{' || !ok {
		return nil, fieldErr(path, "must be an object")
	}
	ch := make(map[string]any, 3)
	typ, ok := findMember(m, channelType)
	if !ok {
		return nil, fieldErr(path+"."+channelType, "required")
	}
	if ch[channelType], ok = text(typ); !ok {
		return nil, fieldErr(path+"."+channelType, "must be a string")
	}
	if vt, ok := findMember(m, channelValueType); ok {
		if ch[channelValueType], ok = text(vt); !ok {
			return nil, fieldErr(path+"."+channelValueType, "must be a string")
		}
	}
	if val, ok := findMember(m, channelValue); ok {
		s, ok := text(val)
		if !ok {
			s, ok = toDecimal(val)
		}
		if !ok {
			return nil, fieldErr(path+"."+channelValue, "must be a string or a number")
		}
		ch[channelValue] = s
	}
	return ch, nil
}
