/** `caxton completion bash|zsh`: shell completion generated from the command list. */
import { CliError, EXIT } from "../exit.ts";
import type { Command } from "../command_types.ts";

function _tree(commands: readonly Command[]): Map<string, string[]> {
  const tree = new Map<string, string[]>();
  for (const c of commands) {
    const verbs = tree.get(c.noun) ?? [];
    if (c.verb) verbs.push(c.verb);
    tree.set(c.noun, verbs);
  }
  return tree;
}

/** The bash completion script. */
export function bashCompletion(commands: readonly Command[]): string {
  const tree = _tree(commands);
  const cases = [...tree].filter(([, verbs]) => verbs.length > 0)
    .map(([noun, verbs]) =>
      `    ${noun}) COMPREPLY=($(compgen -W "${verbs.join(" ")}" -- "$cur")) ;;`
    )
    .join("\n");
  return `# caxton bash completion: eval "$(caxton completion bash)"
_caxton() {
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${[...tree.keys()].join(" ")}" -- "$cur"))
    return
  fi
  if [ "$COMP_CWORD" -eq 2 ]; then
    case "\${COMP_WORDS[1]}" in
${cases}
    esac
    return
  fi
  COMPREPLY=($(compgen -f -- "$cur"))
}
complete -F _caxton caxton
`;
}

/** The zsh completion script. */
export function zshCompletion(commands: readonly Command[]): string {
  const tree = _tree(commands);
  const nouns = [...tree.keys()].map((noun) => {
    const summary = commands.find((c) => c.noun === noun && !c.verb)?.summary ?? `${noun} commands`;
    return `'${noun}:${summary.replaceAll("'", "")}'`;
  }).join(" ");
  const cases = [...tree].filter(([, verbs]) => verbs.length > 0)
    .map(([noun, verbs]) =>
      `    ${noun}) _values 'verb' ${
        verbs.map((v) => {
          const summary = commands.find((c) => c.noun === noun && c.verb === v)!.summary;
          return `'${v}[${summary.replaceAll("'", "").replaceAll("]", "")}]'`;
        }).join(" ")
      } ;;`
    ).join("\n");
  return `#compdef caxton
# caxton zsh completion: eval "$(caxton completion zsh)"
_caxton() {
  if (( CURRENT == 2 )); then
    _describe 'command' "(${nouns})"
    return
  fi
  if (( CURRENT == 3 )); then
    case "\${words[2]}" in
${cases}
      *) _files ;;
    esac
    return
  fi
  _files
}
compdef _caxton caxton
`;
}

/** The completion command over the full command list (given late, as it includes itself). */
export function completionCommand(all: () => readonly Command[]): Command {
  return {
    noun: "completion",
    usage: "bash|zsh",
    summary: "print a shell completion script",
    run(ctx) {
      const [shell] = ctx.args;
      if (shell === "bash") ctx.output.out(bashCompletion(all()));
      else if (shell === "zsh") ctx.output.out(zshCompletion(all()));
      else {throw new CliError(
          `completion needs a shell: bash or zsh (got "${shell ?? ""}")`,
          EXIT.usage,
        );}
      return Promise.resolve();
    },
  };
}
