package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/engagehub/engagehub/pkg/admin"
	"github.com/engagehub/engagehub/pkg/config"
)

// cliToken is the bearer token operator commands send: the flag, then
// $ENGAGEHUB_TOKEN, then the first of auth.tokens.
func cliToken(cfg config.Config, flag string) string {
	if flag != "" {
		return flag
	}
	if t := os.Getenv("ENGAGEHUB_TOKEN"); t != "" {
		return t
	}
	if len(cfg.Auth.Tokens) > 0 {
		return cfg.Auth.Tokens[0].Reveal()
	}
	return ""
}

// newSubscriptionsCmd is the operator CLI over the admin API.
func newSubscriptionsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "subscriptions",
		Aliases: []string{"subs"},
		Short:   "list, show, create, update, enable, disable, test, delete and rotate subscriptions through the admin API",
	}
	client := clientFlags(cmd)
	cmd.AddCommand(newTestFilterCmd(client), newTestTransformCmd(client))
	cmd.AddCommand(newUpdateCmd(client), newEnableCmd(client, true), newEnableCmd(client, false), newTestEventCmd(client))
	cmd.AddCommand(
		&cobra.Command{Use: "list", Short: "list subscriptions", Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				c, err := client(cmd)
				if err != nil {
					return err
				}
				subs, err := c.List(cmd.Context())
				if err != nil {
					return err
				}
				tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tENABLED\tTYPE\tDESTINATION\tEVENT TYPES")
				for _, s := range subs {
					dest := s.Destination.URL
					if dest == "" {
						dest = s.Destination.Topic
					}
					fmt.Fprintf(tw, "%s\t%v\t%s\t%s\t%v\n", s.ID, s.Enabled, s.Destination.Type, dest, s.EventTypes)
				}
				return tw.Flush()
			}},
		&cobra.Command{Use: "get ID", Short: "show one subscription as JSON", Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				c, err := client(cmd)
				if err != nil {
					return err
				}
				s, err := c.Get(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				return printJSON(cmd.OutOrStdout(), s)
			}},
		newCreateCmd(client),
		&cobra.Command{Use: "delete ID", Short: "delete a subscription", Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				c, err := client(cmd)
				if err != nil {
					return err
				}
				if err := c.Delete(cmd.Context(), args[0]); err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), "deleted", args[0])
				return nil
			}},
		&cobra.Command{Use: "rotate-secret ID", Short: "mint a new signing secret (the old one signs on for the grace period)", Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				c, err := client(cmd)
				if err != nil {
					return err
				}
				s, err := c.RotateSecret(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				return printJSON(cmd.OutOrStdout(), s)
			}},
	)
	return cmd
}

// clientFlags adds --url and --token to cmd (for its subcommands too) and
// returns the admin client factory they configure.
func clientFlags(cmd *cobra.Command) adminClient {
	var url, token string
	cmd.PersistentFlags().StringVar(&url, "url", "", "engagehub base URL (default http://<http.listen>)")
	cmd.PersistentFlags().StringVar(&token, "token", "", "bearer token (default $ENGAGEHUB_TOKEN, then the first of auth.tokens)")
	return func(cmd *cobra.Command) (*admin.Client, error) {
		cfg, err := loadConfig(cmd)
		if err != nil {
			return nil, &exitError{code: 2, err: err}
		}
		base := url
		if base == "" {
			base = "http://" + cfg.HTTP.Listen
		}
		return admin.NewClient(base, cliToken(cfg, token)), nil
	}
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
