// Bash completion for ablestack_v2k, generated from the command registry's option specs (the same ones
// the parser uses): command words, each command's options, and values where the spec says what they
// are (choices "a|b|c", DIR, FILE). Installed as /usr/share/bash-completion/completions/ablestack_v2k.
import { type OptionSpec } from "../../kit/cli/command";
import { globalOptions } from "../../kit/cli/argv";
import { commandName } from "../../kit/cli/help";
import { type Program } from "../../kit/cli/registry";

type ValueKind = { kind: "choices"; words: string[] } | { kind: "dir" } | { kind: "file" } | { kind: "free" };

/** What a string option's value is, from its valueName ("auto|kvm|qemu", "DIR", "FILE", "S"...). */
export function valueKind(o: OptionSpec): ValueKind {
  const v = o.valueName ?? "";
  if (/^[a-z0-9-]+(\|[a-z0-9-]+)+$/.test(v)) return { kind: "choices", words: v.split("|") };
  if (/^(DIR|WORKDIR|DST)$/.test(v)) return { kind: "dir" };
  if (/^(FILE|PATH|DEVICE|DEV)$/.test(v)) return { kind: "file" };
  return { kind: "free" };
}

const q = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

function optionWords(options: Record<string, OptionSpec>): string {
  return Object.entries(options)
    .flatMap(([n, o]) => [`--${n}`, ...(o.short ? [`-${o.short}`] : [])])
    .concat("--help")
    .join(" ");
}

/** case arms "COMMAND --option") for options whose values can be completed. */
function valueArms(key: string, options: Record<string, OptionSpec>): string[] {
  const arms: string[] = [];
  for (const [n, o] of Object.entries(options)) {
    if (o.type !== "string") continue;
    const k = valueKind(o);
    const action =
      k.kind === "choices"
        ? `COMPREPLY=($(compgen -W ${q(k.words.join(" "))} -- "$cur"))`
        : k.kind === "dir"
          ? `COMPREPLY=($(compgen -d -- "$cur"))`
          : k.kind === "file"
            ? `COMPREPLY=($(compgen -f -- "$cur"))`
            : "COMPREPLY=()";
    arms.push(`    ${q(`${key} --${n}`)}) ${action}; return ;;`);
  }
  return arms;
}

export function bashCompletion(program: Program): string {
  const PROGRAM = program.name;
  const visible = program.commands.filter((c) => !c.hidden);
  const paths = visible.map((c) => q(commandName(c))).join(" ");
  const arms = visible.flatMap((c) => [
    ...valueArms(commandName(c), c.options),
    `    ${q(`${commandName(c)} -`)}) COMPREPLY=($(compgen -W ${q(optionWords({ ...c.options, ...globalOptions }))} -- "$cur")); return ;;`,
  ]);
  return `# bash completion for ${PROGRAM}: generated from its option specs ('${PROGRAM} completion bash'); do not edit.
_${PROGRAM}() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]}
  local -a paths=(${paths})
  local i=1 typed="" cmd="" p next
  # leading global options (and --workdir's value), then the command words, as the helper splits argv
  while (( i < COMP_CWORD )) && [[ \${COMP_WORDS[i]} == -* ]]; do
    [[ \${COMP_WORDS[i]} == --workdir ]] && ((i++))
    ((i++))
  done
  if [[ $prev == --workdir ]] && (( i >= COMP_CWORD )); then COMPREPLY=($(compgen -d -- "$cur")); return; fi
  while (( i < COMP_CWORD )) && [[ \${COMP_WORDS[i]} != -* ]]; do typed="\${typed:+$typed }\${COMP_WORDS[i]}"; ((i++)); done
  for p in "\${paths[@]}"; do
    if [[ $typed == "$p" || $typed == "$p "* ]] && (( \${#p} > \${#cmd} )); then cmd=$p; fi
  done
  [[ $cmd == help ]] && typed=""
  if (( i == COMP_CWORD )) && [[ $cur != -* ]]; then
    # still typing command words: the next word of every path that continues what is typed
    local -a words=()
    for p in "\${paths[@]}"; do
      if [[ -z $typed ]]; then next=\${p%% *}
      elif [[ $p == "$typed "* ]]; then next=\${p#"$typed "}; next=\${next%% *}
      else continue; fi
      [[ " \${words[*]} " == *" $next "* ]] || words+=("$next")
    done
    if (( \${#words[@]} > 0 )); then COMPREPLY=($(compgen -W "\${words[*]}" -- "$cur")); return; fi
  fi
  if [[ -z $cmd ]]; then
    [[ $cur == -* ]] && COMPREPLY=($(compgen -W ${q(optionWords(globalOptions))} -- "$cur"))
    return
  fi
  case "$cmd $prev" in
${arms.filter((a) => !a.includes(" -')")).join("\n")}
  esac
  if [[ $cur == -* ]]; then
    case "$cmd -" in
${arms.filter((a) => a.includes(" -')")).join("\n")}
    esac
  fi
  COMPREPLY=($(compgen -f -- "$cur"))
}
complete -F _${PROGRAM} ${PROGRAM}
`;
}
