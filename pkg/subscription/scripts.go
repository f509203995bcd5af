package subscription

import (
	"errors"

	"github.com/engagehub/engagehub/pkg/filter"
	"github.com/engagehub/engagehub/pkg/transform"
)

// validateFilter compiles s.Filter against the schemas of the types s
// subscribes to; each problem names its line and column.
func validateFilter(p *problems, s Subscription) {
	if s.Filter == "" {
		return
	}
	err := filter.Check(s.Filter, s.EventTypes)
	var ce *filter.CompileError
	switch {
	case errors.As(err, &ce):
		for _, prob := range ce.Problems {
			p.add("filter", prob.Error())
		}
	case err != nil:
		p.add("filter", err.Error())
	}
}

// validateTransform runs s.Transform on the catalog example of every type
// s subscribes to; Kafka destinations have no transformation.
func validateTransform(p *problems, s Subscription, limits transform.Config) {
	switch {
	case s.Transform == "":
		return
	case !s.Destination.IsWebhook():
		p.add("transform", "only applies to webhook destinations (a kafka destination may have a filter)")
		return
	case p.has("destination.url"):
		return // the script would be tried against a URL that is not one
	}
	d := s.Destination
	if err := transform.Check(s.Transform, limits, d.URL, d.Headers, filter.Types(s.EventTypes)); err != nil {
		p.add("transform", err.Error())
	}
}
