package kafka

import (
	"fmt"
	"net"
	"time"

	kafkago "github.com/segmentio/kafka-go"
	"go.uber.org/zap"
)

// Message is a Kafka record as engagehub's packages see it.
type Message = kafkago.Message

// Header is a Kafka record header.
type Header = kafkago.Header

// Client holds what every connection needs: the bootstrap brokers, TLS and
// SASL. It is safe for concurrent use; writers and readers made from it are
// owned (and closed) by their callers.
type Client struct {
	cfg       Config
	brokers   []string
	transport *kafkago.Transport
	dialer    *kafkago.Dialer
	admin     *kafkago.Client
	auth      *authWatch // nil without SASL
	log       *zap.Logger

	fetchStats fetchStatsByGroup
}

// New returns a Client for brokers (the configured ones, or the embedded
// broker's address) with cfg's security settings.
func New(cfg Config, brokers []string, log *zap.Logger) (*Client, error) {
	if len(brokers) == 0 {
		return nil, fmt.Errorf("kafka: no brokers to connect to")
	}
	mech, err := cfg.Security.SASL.mechanism()
	if err != nil {
		return nil, fmt.Errorf("kafka: sasl: %w", err)
	}
	var auth *authWatch
	if mech != nil {
		auth = &authWatch{Mechanism: mech, user: cfg.Security.SASL.Username}
		mech = auth
	}
	tlsCfg, err := cfg.Security.TLS.config()
	if err != nil {
		return nil, err
	}
	clientID := cfg.ClientID
	if clientID == "" {
		clientID = "engagehub"
	}
	transport := &kafkago.Transport{
		ClientID:    clientID,
		TLS:         tlsCfg,
		SASL:        mech,
		DialTimeout: 5 * time.Second,
		MetadataTTL: 5 * time.Second,
	}
	c := &Client{
		cfg:       cfg,
		brokers:   brokers,
		transport: transport,
		dialer: &kafkago.Dialer{
			ClientID:      clientID,
			Timeout:       10 * time.Second,
			DualStack:     true,
			TLS:           tlsCfg,
			SASLMechanism: mech,
		},
		auth: auth,
		log:  log,
	}
	c.admin = &kafkago.Client{Addr: c.addr(), Transport: transport, Timeout: 10 * time.Second}
	return c, nil
}

// Brokers returns the bootstrap brokers the client connects to.
func (c *Client) Brokers() []string { return c.brokers }

// Config returns the kafka section the client was made from.
func (c *Client) Config() Config { return c.cfg }

// Close releases idle connections.
func (c *Client) Close() { c.transport.CloseIdleConnections() }

func (c *Client) addr() net.Addr { return kafkago.TCP(c.brokers...) }
