/*
 * glassbox's built-in YARA rules: backdoor indicators in firmware.
 *
 * Compiled into the binary (scripts/embed.py) and loaded by the yara analyzer
 * unless --no-default-rules is given. Each match is reported as the finding
 * yara.<rule name>; meta.severity sets its severity (medium when absent).
 *
 * Only published, well-known indicators, each with its reference. Rules that
 * look for shell one-liners inside programs are restricted to ELF files: boot
 * scripts are read line by line by the services analyzer, CGIs by webcmd.
 * Every rule is checked against the clean corpus profile (Debian binaries):
 * none may match there.
 */

private rule is_elf
{
	condition:
		uint32(0) == 0x464c457f
}

rule dlink_xmlset_backdoor
{
	meta:
		description = "D-Link web server backdoor: the User-Agent xmlset_roodkcableoj28840ybtide skips authentication"
		severity = "critical"
		reference = "http://www.devttys0.com/2013/10/reverse-engineering-a-d-link-backdoor/"
		cve = "CVE-2013-6026"
	strings:
		$ua = "xmlset_roodkcableoj28840ybtide"
	condition:
		$ua
}

rule tenda_w302r_mfg_backdoor
{
	meta:
		description = "Tenda W302R/W330R backdoor: UDP port 7329 runs commands sent after the magic string w302r_mfg"
		severity = "critical"
		reference = "http://www.devttys0.com/2013/10/from-china-with-love/"
	strings:
		$magic = "w302r_mfg"
	condition:
		$magic
}

rule netgear_telnetenable_magic
{
	meta:
		description = "Netgear telnetenabled: a magic packet encrypted with the AMBIT_TELNET_ENABLE+ key opens telnet"
		severity = "high"
		reference = "https://openwrt.org/toh/netgear/telnet.console"
	strings:
		$key = "AMBIT_TELNET_ENABLE+"
	condition:
		$key
}

rule sercomm_tcp32764_backdoor
{
	meta:
		description = "Sercomm TCP 32764 backdoor (scfgmgr): ScMM/MMcS protocol gives configuration dump and command execution"
		severity = "critical"
		reference = "https://github.com/elvanderb/TCP-32764"
		cve = "CVE-2014-0659"
	strings:
		$le = "ScMM"
		$be = "MMcS"
	condition:
		is_elf and $le and $be
}

rule netis_udp53413_backdoor
{
	meta:
		description = "Netcore/Netis backdoor on UDP port 53413 (igdmptd), protected by the hard-coded password netcore"
		severity = "critical"
		reference = "http://blog.trendmicro.com/trendlabs-security-intelligence/netis-routers-leave-wide-open-backdoor/"
	strings:
		$pw = "netcore" fullword
		$prompt = "Login:"
		$name = "igdmptd"
	condition:
		is_elf and $pw and $prompt and $name
}

rule zyxel_zyfwp_hardcoded_password
{
	meta:
		description = "Zyxel firewall/AP controller hard-coded account zyfwp with the password PrOw!aN_fXp"
		severity = "critical"
		reference = "https://www.eyecontrol.nl/blog/undocumented-user-account-in-zyxel-products.html"
		cve = "CVE-2020-29583"
	strings:
		$pw = "PrOw!aN_fXp"
	condition:
		$pw
}

rule huawei_hg532_exploit
{
	meta:
		description = "Exploit for Huawei HG532 UPnP command injection (used by Satori and Mirai variants)"
		severity = "critical"
		reference = "https://research.checkpoint.com/2017/good-zero-day-skiddie/"
		cve = "CVE-2017-17215"
	strings:
		$url = "/ctrlt/DeviceUpgrade_1"
		$inj = "<NewStatusURL>$("
		$realm = "realm=\"HuaweiHomeGateway\""
	condition:
		$url and ($inj or $realm)
}

rule mirai_busybox_marker
{
	meta:
		description = "Mirai botnet marker: its scanner runs '/bin/busybox MIRAI' and expects 'MIRAI: applet not found'"
		severity = "critical"
		reference = "https://github.com/jgamblin/Mirai-Source-Code/blob/master/mirai/bot/table.c"
	strings:
		$cmd = "/bin/busybox MIRAI"
		$reply = "MIRAI: applet not found"
		/* the same, as Mirai's table stores them (each byte XOR 0x22, key 0xdeadbeef) */
		$cmd_x = { 0d 40 4b 4c 0d 40 57 51 5b 40 4d 5a 02 6f 6b 70 63 6b }
		$reply_x = { 6f 6b 70 63 6b 18 02 43 52 52 4e 47 56 02 4c 4d 56 02 44 4d 57 4c 46 }
	condition:
		any of them
}

rule reverse_shell_dev_tcp
{
	meta:
		description = "Shell wired to bash's /dev/tcp (reverse shell one-liner)"
		severity = "critical"
		reference = "https://pentestmonkey.net/cheat-sheet/shells/reverse-shell-cheat-sheet"
	strings:
		$i = /(ba)?sh -i *[>&]{1,3} *\/dev\/(tcp|udp)\/[A-Za-z0-9.\-]{1,64}\/[0-9]{1,5}/
		$exec = /exec [0-9]{1,3}<> *\/dev\/(tcp|udp)\/[A-Za-z0-9.\-]{1,64}\/[0-9]{1,5}/
	condition:
		any of them
}

rule reverse_shell_mkfifo_netcat
{
	meta:
		description = "Shell wired to netcat through a named pipe (mkfifo reverse/bind shell one-liner)"
		severity = "critical"
		reference = "https://pentestmonkey.net/cheat-sheet/shells/reverse-shell-cheat-sheet"
	strings:
		$f = /mkfifo [^\n;|]{1,48}; *(cat|tail -f) [^\n;|]{1,48}\| *(\/bin\/)?(ba)?sh( -i)?[^\n|]{0,32}\| *(busybox )?(nc|netcat)\b/
	condition:
		$f
}

rule reverse_shell_script_oneliner
{
	meta:
		description = "Python or Perl reverse shell one-liner (socket connected to /bin/sh)"
		severity = "critical"
		reference = "https://pentestmonkey.net/cheat-sheet/shells/reverse-shell-cheat-sheet"
	strings:
		$py = /socket\.socket\([^\n]{0,200}os\.dup2\([^\n]{0,200}(subprocess\.call|pty\.spawn)\(\[?["']\/bin\/(ba)?sh/
		$pl = /use Socket;[^\n]{0,200}open\(STDIN,">&S"\)[^\n]{0,120}exec\(["']\/bin\/(ba)?sh/
	condition:
		any of them
}

rule hardcoded_telnetd_shell
{
	meta:
		description = "A program that starts telnetd with a shell instead of login (telnetd -l /bin/sh)"
		severity = "high"
		reference = "https://busybox.net/downloads/BusyBox.html#telnetd"
	strings:
		$t = /\btelnetd( -[A-KM-Za-km-z]( [0-9A-Za-z\/._:]{1,32})?){0,4} -l ?\/bin\/(ba|a)?sh\b/
	condition:
		is_elf and $t
}

rule hardcoded_netcat_shell
{
	meta:
		description = "A program that serves or connects a shell with netcat (nc ... -e /bin/sh)"
		severity = "critical"
		reference = "https://pentestmonkey.net/cheat-sheet/shells/reverse-shell-cheat-sheet"
	strings:
		$n = /\b(nc|netcat|ncat)( -[A-Za-z]{1,4}( [0-9A-Za-z\/._:]{1,32})?| [0-9.]{7,15}| [0-9]{1,5}){0,6} -(e|c) ?\/bin\/(ba)?sh\b/
	condition:
		is_elf and $n
}
