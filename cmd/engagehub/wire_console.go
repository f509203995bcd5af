package main

import (
	"context"

	"github.com/engagehub/engagehub/pkg/console"
	"github.com/engagehub/engagehub/pkg/kafka"
)

// startConsole serves the operator console and the subscriber portal over
// the service layer (the admin role's), with portal links recorded in
// their compacted topic.
func (a *app) startConsole(ctx context.Context) error {
	links, err := console.OpenLinks(ctx, a.portalLinkLog, []byte(a.cfg.Auth.SecretKey.Reveal()), nil)
	if err != nil {
		return err
	}
	a.add("portal-links", links.Run)
	c := console.New(a.cfg.Console, console.Deps{
		Ops:     a.ops,
		Tokens:  a.router.Auth(),
		Links:   links,
		Metrics: a.metrics,
		Log:     a.log.Named("console"),
	})
	a.add("console", c.Run)
	a.router.Handle(c.Mount()...)
	return nil
}

// portalLinkLog opens console.portal_topic as a kafka.Table.
func (a *app) portalLinkLog(ctx context.Context, apply func(key, value []byte)) (console.LinkLog, error) {
	t, err := a.kafka.OpenTable(ctx, a.cfg.Console.PortalTopic, func(m kafka.Message) { apply(m.Key, m.Value) })
	if err != nil {
		return nil, err
	}
	a.onClose(func() { _ = t.Close() })
	return t, nil
}
