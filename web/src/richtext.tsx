// Message text with a little formatting: **bold**, *italic*, ~~struck~~, `code`, ``` code blocks ```
// and > quotes, parsed by markdown-it with raw HTML off. Its tokens become Preact elements from a
// fixed list here, and every piece of text stays a text node: no HTML string is ever built or
// parsed, so markup in a message shows as the characters it is. Links come from linkify (http,
// https and www. only), never from Markdown's [text](url), whose shown text could hide its target.
import MarkdownIt, { type Token } from 'markdown-it';
import { h, type ComponentChildren } from 'preact';
import { linkify } from './linkify';

const md = new MarkdownIt('zero', { html: false, breaks: true, linkify: false, typographer: false }).enable([
  'blockquote',
  'fence',
  'emphasis',
  'strikethrough',
  'backticks',
  'newline',
  'escape',
]);

/** Token types that open an element, and the element. Anything else keeps its content, unwrapped. */
const TAGS: Record<string, string> = {
  paragraph_open: 'p',
  blockquote_open: 'blockquote',
  strong_open: 'strong',
  em_open: 'em',
  s_open: 's',
};

function render(tokens: readonly Token[]): ComponentChildren[] {
  const root: ComponentChildren[] = [];
  const stack: { tag: string | undefined; children: ComponentChildren[] }[] = [{ tag: undefined, children: root }];
  const top = () => stack[stack.length - 1]!;
  for (const t of tokens) {
    if (t.nesting === 1) {
      stack.push({ tag: TAGS[t.type], children: [] });
    } else if (t.nesting === -1) {
      if (stack.length === 1) continue;
      const done = stack.pop()!;
      top().children.push(...(done.tag ? [h(done.tag, null, ...done.children)] : done.children));
    } else if (t.type === 'inline') {
      top().children.push(...render(t.children ?? []));
    } else if (t.type === 'text') {
      top().children.push(...linkify(t.content));
    } else if (t.type === 'code_inline') {
      top().children.push(<code>{t.content}</code>);
    } else if (t.type === 'fence' || t.type === 'code_block') {
      top().children.push(
        <pre>
          <code>{t.content.replace(/\n$/, '')}</code>
        </pre>,
      );
    } else if (t.type === 'softbreak' || t.type === 'hardbreak') {
      // The text keeps its own line breaks (white-space: pre-wrap), as plain text did.
      top().children.push('\n');
    }
  }
  return root;
}

/** A message as formatted nodes. One plain paragraph comes unwrapped, so it can sit inline. */
export function richText(text: string): ComponentChildren[] {
  const tokens = md.parse(text, {});
  const single = tokens.length === 3 && tokens[0]!.type === 'paragraph_open' && tokens[1]!.type === 'inline';
  return render(single ? [tokens[1]!] : tokens);
}
