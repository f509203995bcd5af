package filter

import (
	"fmt"
	"sync"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/ext"

	"github.com/engagehub/engagehub/pkg/event"
)

// MaxLength is the longest expression accepted, in bytes.
const MaxLength = 4096

// envs caches one CEL environment per set of catalog types.
var envs sync.Map // typesKey -> *cel.Env

// envFor returns the environment of expressions over events of typs.
func envFor(typs []event.Type) (*cel.Env, error) {
	key := typesKey(typs)
	if e, ok := envs.Load(key); ok {
		return e.(*cel.Env), nil
	}
	e, err := newEnv(typs)
	if err != nil {
		return nil, fmt.Errorf("filter: environment for %s: %w", key, err)
	}
	actual, _ := envs.LoadOrStore(key, e)
	return actual.(*cel.Env), nil
}

func newEnv(typs []event.Type) (*cel.Env, error) {
	return cel.NewEnv(
		cel.Types(newPayloadType(unionFields(typs))),
		cel.Variable("type", types.StringType),
		cel.Variable("contactId", types.StringType),
		cel.Variable("source", types.StringType),
		cel.Variable("receivedAt", types.TimestampType),
		cel.Variable("headers", types.NewMapType(types.StringType, types.StringType)),
		cel.Variable("payload", payloadObjectType),
		cel.CrossTypeNumericComparisons(true),
		cel.OptionalTypes(),
		cel.DefaultUTCTimeZone(true),
		cel.ParserExpressionSizeLimit(MaxLength),
		ext.Strings(),
	)
}
