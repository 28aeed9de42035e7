# SPDX-License-Identifier: GPL-2.0
# tcpopt bench: jq definitions shared by the summaries (jq -L test/bench,
# include "lib").

# The median of the non-null numbers, null when there are none.
def median:
	map(select(. != null)) | sort |
	if length == 0 then null
	elif length % 2 == 1 then .[length / 2 | floor]
	else (.[length / 2 - 1] + .[length / 2]) / 2
	end;

# A / B, null when either is null or B is 0.
def ratio(a; b):
	if a == null or b == null or b == 0 then null else a / b end;

# A number with D decimals, "n/a" for null.
def fixed(d):
	if . == null then "n/a"
	else (. * pow(10; d) | round) as $n
	| if d == 0 then ($n | tostring)
	  else (pow(10; d)) as $p
	  | (($n / $p) | floor) as $i
	  | (($n - $i * $p) | tostring) as $f
	  | (d - ($f | length)) as $pad
	  | "\($i).\(if $pad > 0 then "0" * $pad else "" end)\($f)"
	  end
	end;
