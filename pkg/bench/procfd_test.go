package bench

import (
	"net"
	"os"
	"slices"
	"testing"
)

func TestParseTCPTableReadsRemotePortStateAndInode(t *testing.T) {
	t.Parallel()
	table := []byte(`  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:A36B 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 81976 2 00000000949b0afe 100 0 0 10 0
   1: 0100007F:C350 0100007F:4C0D 01 00000000:00000000 00:00000000 00000000     0        0 81990 1 0000000000000000 20 4 30 10 -1
   2: 0000000000000000FFFF00000100007F:4A94 0000000000000000FFFF00000100007F:2384 01 00000000:00000000 00:00000000 00000000     0        0 65724 1 0000000094a73ca9 100 0 0 10 0
   3: garbage
`)
	got := parseTCPTable(table)
	want := []tcpConn{
		{remotePort: 0, state: 0x0A, inode: 81976},
		{remotePort: 0x4C0D, state: tcpEstablished, inode: 81990},
		{remotePort: 0x2384, state: tcpEstablished, inode: 65724},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("parseTCPTable = %+v, want %+v", got, want)
	}
}

func TestParseSocketLink(t *testing.T) {
	t.Parallel()
	tests := []struct {
		link string
		ino  uint64
		ok   bool
	}{
		{"socket:[12345]", 12345, true},
		{"pipe:[12345]", 0, false},
		{"/dev/null", 0, false},
		{"socket:[12x]", 0, false},
		{"socket:[12345", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.link, func(t *testing.T) {
			ino, ok := parseSocketLink(tt.link)
			if ino != tt.ino || ok != tt.ok {
				t.Fatalf("parseSocketLink(%q) = %d, %v; want %d, %v", tt.link, ino, ok, tt.ino, tt.ok)
			}
		})
	}
}

func TestBrokerPortsReadsEachBootstrapEntry(t *testing.T) {
	t.Parallel()
	got := brokerPorts([]string{"127.0.0.1:9092", "kafka-1.example:19092", "[::1]:9093", "noport"})
	if want := []int{9092, 19092, 9093}; !slices.Equal(got, want) {
		t.Fatalf("brokerPorts = %v, want %v", got, want)
	}
}

// TestReadFDStatsCountsTheConnectionsToABrokerPort reads this very process:
// two connections dialled to a listener's port count as broker connections;
// the accepted ends (whose remote port is the dialler's) do not.
func TestReadFDStatsCountsTheConnectionsToABrokerPort(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	for range 2 {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		s, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
	}
	st, err := ReadFDStats(os.Getpid(), []int{port})
	if err != nil {
		t.Fatal(err)
	}
	if st.Broker != 2 || st.TCP < 4 || st.FDs < 5 {
		t.Fatalf("stats = %+v; want 2 broker connections, ≥ 4 established, ≥ 5 fds", st)
	}
}

func TestParseFDLimitReadsTheSoftLimit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, limits string
		want         int64
		ok           bool
	}{
		{"set", "Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 20000                files\n", 1024, true},
		{"unlimited", "Max open files            unlimited            unlimited            files\n", 0, true},
		{"missing", "Max processes             63704                63704                processes\n", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseFDLimit([]byte(tt.limits))
			if got != tt.want || (err == nil) != tt.ok {
				t.Fatalf("parseFDLimit = %d, %v; want %d, ok %v", got, err, tt.want, tt.ok)
			}
		})
	}
	if n, err := ReadFDLimit(os.Getpid()); err != nil || n < 0 {
		t.Fatalf("ReadFDLimit(self) = %d, %v", n, err)
	}
}
