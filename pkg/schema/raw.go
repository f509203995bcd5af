package schema

import "context"

// rawOnly is the projection of Raw: the original envelope and nothing
// else, every other field skipped without being built.
var rawOnly = NewProjection(nil, false, true)

// Raw returns the original envelope JSON of a framed record — a webhook's
// body — skipping the typed fields instead of decoding them, which makes it
// several times cheaper than Unmarshal. The envelope shares value's memory
// (see Project). Errors are those of Unmarshal: ErrBadFraming,
// ErrUndecodable, or a registry error that may pass on retry.
func (s *Serde) Raw(ctx context.Context, value []byte) ([]byte, error) {
	var f Fields
	if err := s.Project(ctx, value, rawOnly, &f); err != nil {
		return nil, err
	}
	return f.Raw(), nil
}
