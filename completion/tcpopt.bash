# SPDX-License-Identifier: GPL-2.0
# bash completion for tcpopt(8).
#
# No word of tcpopt is listed here: global options, objects, commands,
# option names and keywords are read at completion time from the usage
# text ("tcpopt help", "tcpopt OBJECT help"), the same grammar as the man
# pages' SYNOPSIS, so that the three cannot drift apart (test/ops.bats
# checks it).  Values completed: cgroup paths below the cgroup2 mount,
# network namespaces, files.  Needs no bash-completion helpers.

# Read a usage text on stdin; TCPOPT_TYPED holds the words typed after
# OBJECT, one a line.  Print the candidates, one a line: "w WORD", or
# "@cgroup" / "@file" for a value.
#
# Grammar (iproute2 style): "tcpopt OBJ cmd... GRAMMAR" lines, where the
# leading lower-case words are the command; "NAME := RHS" definitions
# (continued on the next lines); "kw PLACEHOLDER" is a keyword with a
# value; a definition whose alternatives are "name GRAMMAR..." (or whose
# left side has several words) is a choice: its names come first, and
# the chosen one brings its own keywords.
_tcpopt_grammar_awk='
function is_kw(t) { return t ~ /^[a-z][a-z0-9_-]*$/ }
function is_ph(t) { return t ~ /^[A-Z][A-Z0-9_]*$/ }
function matches(w, c) { return w == c || (w != "" && index(c, w) == 1) }
function trim(s) { gsub(/^[ \t]+|[ \t]+$/, "", s); return s }
function expand(s, depth,    n, a, i, out, d) {
	n = split(s, a, /[ \t]+/)
	out = ""
	for (i = 1; i <= n; i++) {
		if (a[i] == "")
			continue
		d = (is_ph(a[i]) && a[i] != "FILE" && depth < 4) ? defidx[a[i]] : 0
		if (d && !choice[d])
			out = out " " expand(drhs[d], depth + 1)
		else
			out = out " " a[i]
	}
	return out
}
# Split the alternatives of definition d into alt[d, 1..nalt[d]].
function alternatives(d,    s, i, c, depth, cur, n) {
	s = trim(drhs[d])
	if (substr(s, 1, 1) == "{" && substr(s, length(s)) == "}")
		s = substr(s, 2, length(s) - 2)
	else {
		nalt[d] = 1
		alt[d, 1] = s
		return
	}
	n = 0; depth = 0; cur = ""
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		if (c == "{" || c == "[") depth++
		if (c == "}" || c == "]") depth--
		if (c == "|" && depth == 0) {
			alt[d, ++n] = trim(cur)
			cur = ""
		} else
			cur = cur c
	}
	alt[d, ++n] = trim(cur)
	nalt[d] = n
}
BEGIN {
	nt = ENVIRON["TCPOPT_TYPED"] == "" ? 0 : split(ENVIRON["TCPOPT_TYPED"], typed, "\n")
	nl = 0; nd = 0; indef = 0; inusage = 0
}
{
	line = $0
	sub(/^Usage:/, "", line)
	if (line ~ /^[ \t]*tcpopt([ \t]|$)/) {
		n = split(trim(line), t, /[ \t]+/)
		nl++; np = 0; gram = ""
		# t[1] is "tcpopt", t[2] the object.
		for (i = 3; i <= n; i++) {
			if (gram == "" && is_kw(t[i]))
				lp[nl, ++np] = t[i]
			else
				gram = gram " " t[i]
		}
		lnp[nl] = np
		lg[nl] = gram
		indef = 0
		inusage = 1
		next
	}
	sub(/^[ \t]*where[ \t]+/, "", line)
	if (index(line, ":=")) {
		lhs = trim(substr(line, 1, index(line, ":=") - 1))
		nd++
		n = split(lhs, t, /[ \t]+/)
		dname[nd] = t[1]
		dmulti[nd] = n > 1
		# "NAME [ VALUE ] [ OPTS ]": a line brings the own words
		# of the chosen name only where it has all of this.
		dlhs[nd] = n > 1 ? " " lhs : ""
		drhs[nd] = substr(line, index(line, ":=") + 2)
		defidx[t[1]] = nd
		indef = 1
		inusage = 0
	} else if (indef)
		drhs[nd] = drhs[nd] " " line
	else if (inusage)
		lg[nl] = lg[nl] " " line	# a usage line continued
}
END {
	for (d = 1; d <= nd; d++) {
		alternatives(d)
		choice[d] = dmulti[d]
		for (a = 1; a <= nalt[d]; a++) {
			n = split(alt[d, a], t, /[ \t]+/)
			if (n > 1 && is_kw(t[1]))
				choice[d] = 1
		}
	}
	# Commands: lines whose command the typed words begin.
	best = -1
	for (l = 1; l <= nl; l++) {
		ok = 1
		for (i = 1; i <= lnp[l] && i <= nt && ok; i++)
			ok = matches(typed[i], lp[l, i])
		if (!ok)
			continue
		if (lnp[l] > nt)
			print "w " lp[l, nt + 1]
		else if (lnp[l] > best) {
			best = lnp[l]
			nsel = 0
			sel[++nsel] = l
		} else if (lnp[l] == best)
			sel[++nsel] = l
	}
	if (best < 0)
		exit
	nr = nt - best
	for (s = 1; s <= nsel; s++) {
		g = expand(lg[sel[s]], 0)
		ng = split(g, G, /[ \t]+/)
		# A choice (NAME := { uto ... | ... }) among the placeholders.
		cd = 0; optional = 0; depth = 0
		for (i = 1; i <= ng && !cd; i++) {
			if (G[i] == "[") depth++
			if (G[i] == "]") depth--
			if (is_ph(G[i]) && defidx[G[i]] && choice[defidx[G[i]]]) {
				cd = defidx[G[i]]
				optional = depth > 0
			}
		}
		own = ""
		if (cd) {
			chosen = 0
			for (a = 1; a <= nalt[cd]; a++) {
				split(alt[cd, a], t, /[ \t]+/)
				if (nr >= 1 && matches(typed[best + 1], t[1]))
					chosen = a
				if (nr == 0)
					print "w " t[1]
			}
			if (nr == 0 && !optional)
				continue
			g1 = lg[sel[s]]
			gsub(/[ \t]+/, " ", g1)
			if (chosen && (dlhs[cd] == "" || index(g1 " ", dlhs[cd] " "))) {
				own = alt[cd, chosen]
				sub(/^[^ \t]+/, "", own)
				own = expand(own, 0)
			}
		}
		nf = split(g " " own, F, /[ \t]+/)
		delete valph
		delete kws
		for (i = 1; i <= nf; i++) {
			if (!is_kw(F[i]))
				continue
			kws[F[i]] = 1
			if (i < nf && is_ph(F[i + 1]))
				valph[F[i]] = F[i + 1]
		}
		prev = nr >= 1 ? typed[nt] : ""
		if (prev in valph && !(nr == 1 && cd)) {
			if (valph[prev] == "FILE")
				print "@file"
			else if (prev == "cgroup")
				print "@cgroup"
			continue
		}
		delete used
		for (i = best + 1; i <= nt; i++)
			used[typed[i]] = 1
		for (k in kws)
			if (!(k in used))
				print "w " k
		# A positional FILE ("save [ FILE ]") comes first.
		if (nr == 0)
			for (i = 1; i <= nf; i++)
				if (F[i] == "FILE" && !(i > 1 && is_kw(F[i - 1])))
					print "@file"
	}
}
'

# Global options from "tcpopt help": "-j[son]" gives -j and -json; one
# followed by a placeholder ("-n[etns] NAME") takes a value.  Prints
# "SHORT LONG PLACEHOLDER-or--".
_tcpopt_global_options()
{
	"$1" help 2>/dev/null | awk '
	/OPTIONS :=/ { on = 1 }
	on {
		n = split($0, t, /[ \t]+/)
		for (i = 1; i <= n; i++) {
			if (t[i] !~ /^-[a-zA-Z]/)
				continue
			w = t[i]
			short = w; sub(/\[.*/, "", short)
			long = w; gsub(/[\[\]]/, "", long)
			ph = (i < n && t[i + 1] ~ /^[A-Z]+$/) ? t[i + 1] : "-"
			print short, long, ph
		}
		if ($0 ~ /}/)
			on = 0
	}'
}

# Cgroup paths as tcpopt takes them: relative to the cgroup2 mount.
_tcpopt_cgroups()
{
	local mnt cur=$1 d
	mnt=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
	[ -n "$mnt" ] || return
	[[ $cur == /* ]] || cur=/$cur
	while IFS= read -r d; do
		printf '%s/\n' "${d#"$mnt"}"
	done < <(compgen -d -- "$mnt$cur")
}

_tcpopt()
{
	local bin=${COMP_WORDS[0]} line cur prev words i obj objidx
	local -a cands=() globals=()
	local takes_value

	# Split the line on blanks only: "dst 2001:db8::/32" is one word.
	line=${COMP_LINE:0:COMP_POINT}
	read -ra words <<< "$line"
	if [[ $line =~ [[:space:]]$ ]]; then
		words+=("")
	fi
	cur=${words[${#words[@]} - 1]}
	prev=${words[${#words[@]} - 2]:-}
	COMPREPLY=()
	[[ $bin == */* ]] && [ -x "$bin" ] || bin=tcpopt
	command -v "$bin" >/dev/null 2>&1 || return 0

	mapfile -t globals < <(_tcpopt_global_options "$bin")
	# Skip the global options (and their values) before OBJECT.
	for ((i = 1; i < ${#words[@]} - 1; i++)); do
		if [[ ${words[i]} == -* ]]; then
			takes_value=$(printf '%s\n' "${globals[@]}" | awk -v w="${words[i]}" '
				$3 != "-" && (w == $1 || (length(w) > 2 && index($2, w) == 1) ||
				("-" w == $2)) { print $3; exit }')
			if [ -n "$takes_value" ]; then
				# "-b FILE" replaces OBJECT and the rest.
				[[ $takes_value == FILE ]] && ((i + 1 < ${#words[@]} - 1)) && return 0
				((i++))
			fi
			continue
		fi
		obj=${words[i]}
		objidx=$i
		break
	done

	if [ -z "$obj" ]; then
		takes_value=$(printf '%s\n' "${globals[@]}" | awk -v w="$prev" '
			$3 != "-" && w != "" && (w == $1 || (length(w) > 2 && index($2, w) == 1) ||
			("-" w == $2)) { print $3; exit }')
		case $takes_value in
		FILE)
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			return 0 ;;
		"")
			;;
		*)
			mapfile -t COMPREPLY < <(compgen -W "$(ip netns list 2>/dev/null |
				awk '{ print $1 }')" -- "$cur")
			return 0 ;;
		esac
		if [[ $cur == -* ]]; then
			cands=($(printf '%s\n' "${globals[@]}" | awk '{ print $1; print $2 }'))
		else
			cands=($("$bin" help 2>/dev/null | sed -n 's/.*OBJECT := {\(.*\)}.*/\1/p' |
				tr -d '|') help)
		fi
		mapfile -t COMPREPLY < <(compgen -W "${cands[*]}" -- "$cur")
		return 0
	fi

	local typed="" out
	for ((i = objidx + 1; i < ${#words[@]} - 1; i++)); do
		typed+=${words[i]}$'\n'
	done
	typed=${typed%$'\n'}
	while IFS= read -r out; do
		case $out in
		"w "*)
			cands+=("${out#w }") ;;
		@cgroup)
			mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(_tcpopt_cgroups "$cur")
			compopt -o nospace 2>/dev/null ;;
		@file)
			mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -f -- "$cur") ;;
		esac
	done < <("$bin" "$obj" help 2>/dev/null |
		TCPOPT_TYPED=$typed awk "$_tcpopt_grammar_awk" | sort -u)
	if ((${#cands[@]})); then
		mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -W "${cands[*]}" -- "$cur")
	fi
	# bash puts back only what follows the last ':' or '=' of the word.
	if [[ $cur == *[:=]* ]]; then
		local head=${cur%"${cur##*[:=]}"}
		for i in "${!COMPREPLY[@]}"; do
			COMPREPLY[i]=${COMPREPLY[i]#"$head"}
		done
	fi
	return 0
}

complete -F _tcpopt tcpopt
