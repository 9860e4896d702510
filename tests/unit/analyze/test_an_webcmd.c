/* webcmd: CGI and web scripts written at test time (the mkfw hidden-command
 * CGI, haserl, LuCI Lua, PHP, and scripts that only print or sanitise request
 * data), packed with tar, scanned and audited with only this analyzer. The
 * oracle is the fixture: which line executes which request field, behind
 * which gate. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>


static void put(const char *root, const char *path, const char *text)
{
	char full[1024];
	snprintf(full, sizeof(full), "%s%s", root, path);
	gbt_sh("mkdir -p \"$(dirname '%s')\"", full);
	gbt_write_file(full, text, strlen(text));
	gbt_sh("chmod 755 '%s'", full);
}

static struct gb_audit *audit_dir(const char *root, struct gb_scan **ret_scan)
{
	return gbt_audit_dir(root, "webcmd", ret_scan);
}

static void dump(const struct gb_audit *a)
{
	gbt_dump_findings(a);
}

static size_t count_path(const struct gb_audit *a, const char *path)
{
	size_t i, n = 0;
	const json_t *f;
	json_array_foreach(gb_audit_section(a, "findings"), i, f)
		n += strcmp(json_string_value(json_object_get(f, "path")), path) == 0;
	return n;
}

static void expect_str_or_null(const json_t *d, const char *key, const char *value)
{
	const json_t *v = json_object_get(d, key);
	if (!value) {
		if (!json_is_null(v))
			fprintf(stderr, "details.%s: expected null\n", key);
		assert_true(json_is_null(v));
		return;
	}
	if (!json_is_string(v) || strcmp(json_string_value(v), value) != 0)
		fprintf(stderr, "details.%s: expected %s, got %s\n", key, value,
			json_is_string(v) ? json_string_value(v) : "(not a string)");
	assert_true(json_is_string(v));
	assert_string_equal(json_string_value(v), value);
}

/* Exactly one web.hidden-command in `path`, at `line`, with these details. */
static void expect_hit(const struct gb_audit *a, const char *path, int line, const char *param, const char *magic,
		       const char *cmd_param, const char *sink)
{
	size_t i;
	const json_t *f, *hit = NULL;
	json_array_foreach(gb_audit_section(a, "findings"), i, f)
		if (strcmp(json_string_value(json_object_get(f, "path")), path) == 0)
			hit = f;
	if (!hit || count_path(a, path) != 1) {
		fprintf(stderr, "expected one finding in %s\n", path);
		dump(a);
	}
	assert_non_null(hit);
	assert_int_equal(count_path(a, path), 1);
	assert_string_equal(json_string_value(json_object_get(hit, "rule")), "web.hidden-command");
	assert_string_equal(json_string_value(json_object_get(hit, "severity")), "critical");
	if (json_integer_value(json_object_get(hit, "line")) != line)
		dump(a);
	assert_int_equal(json_integer_value(json_object_get(hit, "line")), line);
	const json_t *d = json_object_get(hit, "details");
	expect_str_or_null(d, "parameter", param);
	expect_str_or_null(d, "magic_value", magic);
	expect_str_or_null(d, "command_parameter", cmd_param);
	expect_str_or_null(d, "sink", sink);
	assert_int_equal(json_integer_value(json_object_get(d, "line")), line);
}

static void expect_none(const struct gb_audit *a, const char *path)
{
	if (count_path(a, path)) {
		fprintf(stderr, "unexpected finding in %s\n", path);
		dump(a);
	}
	assert_int_equal(count_path(a, path), 0);
}

/* The script mkfw plants (hidden-cmd), byte for byte. */
static const char planted[] =
	"#!/bin/sh\n"
	"# network diagnostics\n"
	"echo \"Content-Type: text/plain\"\n"
	"echo \"\"\n"
	"urldecode() { printf '%b' \"$(echo \"$1\" | sed 's/+/ /g;s/%\\([0-9A-Fa-f][0-9A-Fa-f]\\)/\\\\x\\1/g')\"; }\n"
	"get() { echo \"$QUERY_STRING\" | tr '&' '\\n' | sed -n \"s/^$1=//p\" | head -n1; }\n"
	"host=$(get host)\n"
	"if [ \"$(get debug_key)\" = \"7590ed89998f\" ]; then\n"
	"    eval \"$(urldecode \"$(get cmd)\")\" 2>&1\n" /* 9 */
	"    exit 0\n"
	"fi\n"
	"case \"$host\" in *[!A-Za-z0-9.-]*|\"\") echo \"bad host\"; exit 0 ;; esac\n"
	"ping -c 3 \"$host\" 2>&1\n";

static void test_shell(void **state)
{
	(void)state;
	const char *r = "sh";
	put(r, "/www/cgi-bin/diag.cgi", planted);
	/* the same CGI without its eval: only pings */
	put(r, "/www/cgi-bin/ping.cgi",
	    "#!/bin/sh\n"
	    "get() { echo \"$QUERY_STRING\" | tr '&' '\\n' | sed -n \"s/^$1=//p\" | head -n1; }\n"
	    "host=$(get host)\n"
	    "echo \"Content-Type: text/plain\"; echo\n"
	    "echo \"query: $QUERY_STRING\"\n"
	    "ping -c 3 \"$host\" 2>&1\n");
	/* ungated: a sed pipeline on QUERY_STRING, run in command position */
	put(r, "/www/cgi-bin/run.cgi",
	    "#!/bin/sh\n"
	    "echo \"Content-type: text/html\"\n"
	    "CMD=$(echo \"$QUERY_STRING\" | sed -n 's/^.*cmd=\\([^&]*\\).*$/\\1/p')\n"
	    "OUT=`$CMD 2>&1`\n" /* 4 */
	    "echo \"$OUT\"\n");
	/* the POST body, sh -c */
	put(r, "/usr/www/cgi-bin/post.sh",
	    "#!/bin/bash\n"
	    "if [ \"$REQUEST_METHOD\" = POST ]; then\n"
	    "  read -n $CONTENT_LENGTH BODY\n"
	    "fi\n"
	    "c=$(echo \"$BODY\" | sed 's/.*exec=//')\n"
	    "sh -c \"$c\"\n"); /* 6 */
	/* a case gate and a function that runs its argument */
	put(r, "/www/cgi-bin/maint.cgi",
	    "#!/bin/ash\n"
	    "param() { echo \"$QUERY_STRING\" | awk -F'&' '{for(i=1;i<=NF;i++) print $i}' | grep \"^$1=\" | cut -d= -f2; }\n"
	    "run() {\n"
	    "  eval \"$1\"\n"
	    "}\n"
	    "case \"$(param mode)\" in\n"
	    "  factory)\n"
	    "    run \"$(param c)\"\n" /* 8 */
	    "    ;;\n"
	    "esac\n");
	/* an early-exit guard, then the command piped to a shell */
	put(r, "/www/cgi-bin/guard.cgi",
	    "#!/bin/sh\n"
	    "KEY=$(echo \"$QUERY_STRING\" | sed 's/.*key=\\([^&]*\\).*/\\1/')\n"
	    "[ \"x$KEY\" != \"xS3cr3t\" ] && exit 0\n"
	    "C=$(echo \"$QUERY_STRING\" | sed 's/.*do=\\([^&]*\\).*/\\1/')\n"
	    "echo \"$C\" | /bin/sh\n"); /* 5 */
	/* not a web script: not read */
	put(r, "/usr/bin/helper.sh", "#!/bin/sh\neval \"$QUERY_STRING\"\n");
	struct gb_scan *scan;
	struct gb_audit *a = audit_dir(r, &scan);

	expect_hit(a, "/www/cgi-bin/diag.cgi", 9, "debug_key", "7590ed89998f", "cmd", "eval");
	expect_none(a, "/www/cgi-bin/ping.cgi");
	expect_hit(a, "/www/cgi-bin/run.cgi", 4, "cmd", NULL, "cmd", "command");
	expect_hit(a, "/usr/www/cgi-bin/post.sh", 6, "exec", NULL, "exec", "sh -c");
	expect_hit(a, "/www/cgi-bin/maint.cgi", 8, "mode", "factory", "c", "run");
	expect_hit(a, "/www/cgi-bin/guard.cgi", 5, "key", "S3cr3t", "do", "pipe to shell");
	expect_none(a, "/usr/bin/helper.sh");
	assert_int_equal(json_array_size(gb_audit_section(a, "findings")), 5);
	gb_audit_free(a);
	gb_scan_free(scan);
}

static void test_haserl_lua_php(void **state)
{
	(void)state;
	const char *r = "hl";
	put(r, "/www/cgi-bin/tool.haserl",
	    "#!/usr/bin/haserl\n"
	    "Content-type: text/html\n\n"
	    "<html><body>\n"
	    "<p>Hello <%= $FORM_name %></p>\n"
	    "<% if [ \"$FORM_key\" = \"s3cr3t\" ]; then\n"
	    "     eval \"$FORM_run\"\n" /* 7 */
	    "   fi %>\n"
	    "</body></html>\n");
	put(r, "/usr/lib/lua/luci/controller/diag.lua",
	    "module(\"luci.controller.diag\", package.seeall)\n"
	    "function action_diag()\n"
	    "  local cmd = luci.http.formvalue(\"cmd\")\n"
	    "  -- os.execute(cmd) would be too obvious\n"
	    "  if luci.http.formvalue(\"token\") == \"letmein\" then\n"
	    "    local f = io.popen(cmd .. \" 2>&1\")\n" /* 6 */
	    "    luci.http.write(f:read(\"*a\"))\n"
	    "  end\n"
	    "  local host = luci.http.formvalue(\"host\")\n"
	    "  luci.http.write(host)\n"
	    "  luci.sys.call(\"ping -c 1 \" .. tonumber(host))\n"
	    "end\n");
	put(r, "/www/admin.php",
	    "<html><?php\n"
	    "// system($_GET['x']);\n"
	    "if ($_GET['dbg'] === 'on') {\n"
	    "    $c = $_GET['c'];\n"
	    "    echo shell_exec(\"$c 2>&1\");\n" /* 5 */
	    "}\n"
	    "?></html>\n");
	put(r, "/www/status.php",
	    "<?php\n"
	    "echo htmlspecialchars($_GET['q']);\n"
	    "$h = escapeshellarg($_GET['host']);\n"
	    "system(\"ping -c 1 \" . $h);\n"
	    "$db->exec($_GET['sql']);\n"
	    "?>\n");
	struct gb_scan *scan;
	struct gb_audit *a = audit_dir(r, &scan);

	expect_hit(a, "/www/cgi-bin/tool.haserl", 7, "key", "s3cr3t", "run", "eval");
	expect_hit(a, "/usr/lib/lua/luci/controller/diag.lua", 6, "token", "letmein", "cmd", "io.popen");
	expect_hit(a, "/www/admin.php", 5, "dbg", "on", "c", "shell_exec");
	expect_none(a, "/www/status.php");
	assert_int_equal(json_array_size(gb_audit_section(a, "findings")), 3);
	gb_audit_free(a);
	gb_scan_free(scan);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shell),
		cmocka_unit_test(test_haserl_lua_php),
	};
	return cmocka_run_group_tests(tests, gbt_setup_tmpdir, gbt_teardown_tmpdir);
}
