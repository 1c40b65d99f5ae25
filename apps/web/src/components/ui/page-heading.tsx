import { useEffect, useRef, type ReactNode } from 'react';

/**
 * The page's h1. It names the tab and takes focus when the page opens, so after a navigation
 * a screen reader starts at the new page and Tab continues from there.
 */
export function PageHeading({ title, children, className }: { title: string; children?: ReactNode; className?: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Todo AI Chatbot`;
    ref.current?.focus({ preventScroll: true });
  }, [title]);
  return (
    <h1 ref={ref} tabIndex={-1} className={['page-heading', className].filter(Boolean).join(' ')}>
      {children ?? title}
    </h1>
  );
}
