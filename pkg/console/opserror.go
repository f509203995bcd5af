package console

import (
	"errors"
	"net/http"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/ops"
)

// statusOf is the status the admin API answers for an ops error, and the
// message a page shows for it (never a cause's internals).
func statusOf(err error) (int, string) {
	var pub *ops.PublishError
	switch {
	case errors.Is(err, ErrLinkNotFound):
		return http.StatusNotFound, "no such portal link of this subscription"
	case errors.As(err, &pub):
		return pub.Status, pub.Message
	}
	status, _, msg, ok := ops.Status(err)
	switch {
	case !ok:
		return http.StatusInternalServerError, "the operation failed unexpectedly"
	case status == http.StatusServiceUnavailable:
		return status, msg + " (retry shortly)"
	}
	return status, msg
}

// fail shows err on an error page with its status; unexpected errors are
// logged.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := statusOf(err)
	if status >= 500 {
		c.deps.Log.Warn("console operation failed", zap.String("path", r.URL.Path), zap.Error(err))
	}
	c.renderError(w, r, status, msg)
}
