package admin

// portalSchemas are those of the portal-link routes (package console
// serves them).
func portalSchemas() map[string]any {
	str := typed("string", "")
	return map[string]any{
		"PortalLinkRequest": obj(nil, map[string]any{
			"ttl": typed("string", `the link's lifetime as a Go duration ("72h"); default console.portal_link_ttl, at most console.portal_link_max_ttl`),
		}),
		"PortalLinkCreated": obj([]string{"id", "url", "expiresAt"}, map[string]any{
			"id":        typed("string", "the link's id (DELETE …/portal-links/{linkId} revokes it)"),
			"url":       typed("string", "the link to give the subscriber: it opens their subscription's portal page; shown this once"),
			"expiresAt": timeField("when the link stops opening the portal"),
		}),
		"PortalLink": obj([]string{"id", "subscription", "createdAt", "expiresAt"}, map[string]any{
			"id": str, "subscription": str,
			"createdAt": timeField(""), "expiresAt": timeField(""),
			"revokedAt": timeField("set once the link is revoked"),
		}),
		"PortalLinkList": obj([]string{"portalLinks"}, map[string]any{
			"portalLinks": arrayOf(ref("PortalLink")),
		}),
	}
}
