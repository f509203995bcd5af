package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/engagehub/engagehub/pkg/fanout"
	"github.com/engagehub/engagehub/pkg/schema"
	"github.com/engagehub/engagehub/pkg/schema/registry"
)

// eventDecoder decodes event records for fan-out's filters and json
// copies, marking the failures that will never pass (so fan-out
// dead-letters the event) apart from a registry that does not answer (so
// fan-out retries the batch).
type eventDecoder struct{ serde *schema.Serde }

func (d eventDecoder) Project(ctx context.Context, value []byte, p schema.Projection, f *schema.Fields) error {
	err := d.serde.Project(ctx, value, p, f)
	if err != nil && (errors.Is(err, schema.ErrUndecodable) || errors.Is(err, registry.ErrSchemaNotFound)) {
		return fmt.Errorf("%w: %w", fanout.ErrUndecodable, err)
	}
	return err
}
