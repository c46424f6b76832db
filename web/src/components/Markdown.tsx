import { Fragment, type ReactNode } from 'react';

/**
 * The small part of Markdown programs write (headings, paragraphs, lists, emphasis, code, links), rendered as
 * React elements: no HTML from the text reaches the page. Headings start at `level` (the page has its own h1).
 */
export function Markdown({ text, level = 3 }: { text: string; level?: 2 | 3 | 4 }) {
  const blocks: ReactNode[] = [];
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (line.trim() === '') {
      i++;
    } else if (heading) {
      const depth = Math.min(6, level + heading[1]!.length - 1);
      const Tag = `h${depth}` as 'h3';
      blocks.push(<Tag key={i}>{inline(heading[2]!)}</Tag>);
      i++;
    } else if (/^\s*([-*]|\d+\.)\s+/.test(line)) {
      const ordered = /^\s*\d+\./.test(line);
      const items: string[] = [];
      while (i < lines.length && /^\s*([-*]|\d+\.)\s+/.test(lines[i]!)) {
        items.push(lines[i]!.replace(/^\s*([-*]|\d+\.)\s+/, ''));
        i++;
      }
      const List = ordered ? 'ol' : 'ul';
      blocks.push(
        <List key={i}>
          {items.map((item, n) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the list is rendered from static text, never reordered
            <li key={n}>{inline(item)}</li>
          ))}
        </List>,
      );
    } else {
      const paragraph: string[] = [];
      while (
        i < lines.length &&
        lines[i]!.trim() !== '' &&
        !/^(#{1,6}\s|\s*([-*]|\d+\.)\s)/.test(lines[i]!)
      ) {
        paragraph.push(lines[i]!);
        i++;
      }
      blocks.push(<p key={i}>{inline(paragraph.join(' '))}</p>);
    }
  }
  return <div className="markdown">{blocks}</div>;
}

function inline(text: string): ReactNode {
  const parts: ReactNode[] = [];
  const pattern = /(`[^`]+`)|(\*\*[^*]+\*\*)|(\*[^*]+\*|_[^_]+_)|(\[([^\]]+)\]\((https?:\/\/[^)\s]+)\))/g;
  let last = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    if (match.index > last) parts.push(text.slice(last, match.index));
    const [whole] = match;
    if (match[1]) parts.push(<code key={match.index}>{whole.slice(1, -1)}</code>);
    else if (match[2]) parts.push(<strong key={match.index}>{whole.slice(2, -2)}</strong>);
    else if (match[3]) parts.push(<em key={match.index}>{whole.slice(1, -1)}</em>);
    else
      parts.push(
        <a key={match.index} href={match[6]} rel="noopener noreferrer">
          {match[5]}
        </a>,
      );
    last = match.index + whole.length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return <Fragment>{parts}</Fragment>;
}
