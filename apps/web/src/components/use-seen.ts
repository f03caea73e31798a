/**
 * Whether an element has come near the viewport yet (and stays true once it has): panels below
 * the fold load their queries only when scrolled to.
 */
import { useEffect, useState } from 'react';
import type { RefObject } from 'react';

export function useSeen(ref: RefObject<Element | null>, marginPx = 200): boolean {
  const [seen, setSeen] = useState(() => typeof IntersectionObserver === 'undefined');
  useEffect(() => {
    const el = ref.current;
    if (seen || el === null) return;
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) {
        setSeen(true);
        io.disconnect();
      }
    }, { rootMargin: `${marginPx}px 0px` });
    io.observe(el);
    return () => io.disconnect();
  }, [seen, marginPx]);
  return seen;
}
