package registry

import "context"

// InProcess lets code in the same process use the built-in registry the way
// serializers use a remote one (the Register and Schema methods of Client):
// the engagehub process registers its own schemas through it, and tests use
// it over a MemoryLog.
type InProcess struct{ Registry *Registry }

// Register registers schema under subject and returns its global id.
func (p InProcess) Register(ctx context.Context, subject, schema string) (int, error) {
	sv, err := p.Registry.Register(ctx, subject, schema)
	return sv.ID, err
}

// Schema returns the schema text registered with id.
func (p InProcess) Schema(_ context.Context, id int) (string, error) {
	return p.Registry.SchemaByID(id)
}
