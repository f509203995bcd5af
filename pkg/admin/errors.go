package admin

import (
	"errors"
	"net/http"
	"strconv"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/httpapi"
	"github.com/engagehub/engagehub/pkg/ops"
)

// writeError answers an ops error with its status: *NotFound 404,
// *Malformed 400, *Invalid 422, *Conflict 409, *TooLarge 413,
// *Unavailable 503 with Retry-After. Anything else is logged and answered
// 503 too (the layer below is Kafka: its failures are transient).
func writeError(w http.ResponseWriter, log *zap.Logger, err error) {
	status, code, msg := classify(err)
	var un *ops.Unavailable
	if errors.As(err, &un) {
		if un.Err != nil {
			log.Warn("operation failed", zap.String("code", un.Code), zap.Error(un.Err))
		}
		if un.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(max(1, int(un.RetryAfter.Seconds()))))
		}
	}
	if status == 0 {
		log.Error("operation failed unexpectedly", zap.Error(err))
		status, code, msg = http.StatusServiceUnavailable, "unavailable", "the operation failed; retry"
	}
	httpapi.WriteError(w, status, code, msg)
}

// classify returns the status, code and message of an ops error; status 0
// for an error of no ops type.
func classify(err error) (int, string, string) {
	status, code, msg, _ := ops.Status(err)
	return status, code, msg
}
