package transform

import (
	"context"
	"errors"
	"fmt"

	"github.com/engagehub/engagehub/pkg/event"
)

// Check compiles src and runs it on the catalog example of each of typs,
// as a webhook to url with headers, so that a script that fails on the
// events it will get is refused when it is saved. The error is the first
// failure, an *Error naming the example it failed on.
func Check(src string, cfg Config, url string, headers map[string]string, typs []event.Type) error {
	s, err := Compile(src, cfg)
	if err != nil {
		return err
	}
	for _, t := range typs {
		spec, ok := event.Lookup(t)
		if !ok {
			continue
		}
		in := Webhook{EventType: string(t), URL: url, Headers: headers, Payload: spec.Example}
		if _, err := s.Run(context.Background(), in); err != nil {
			var e *Error
			if errors.As(err, &e) {
				c := *e
				c.Message = fmt.Sprintf("%s (on the %s example)", e.Message, t)
				return &c
			}
			return err
		}
	}
	return nil
}
