import { useEffect, useState } from 'preact/hooks';

export type Theme = 'auto' | 'light' | 'dark';
const KEY = 'auditgraph.viewer.theme';
const ORDER: readonly Theme[] = ['auto', 'light', 'dark'];

function stored(): Theme {
  try {
    const value = localStorage.getItem(KEY);
    return value === 'light' || value === 'dark' ? value : 'auto';
  } catch {
    return 'auto';
  }
}

/** Light, dark, or the system's choice; set on `<html data-theme>` for the stylesheet. */
export function useTheme(): { theme: Theme; resolved: 'light' | 'dark'; cycleTheme: () => void } {
  const [theme, setTheme] = useState<Theme>(stored);
  const media = matchMedia('(prefers-color-scheme: dark)');
  const [systemDark, setSystemDark] = useState(media.matches);
  useEffect(() => {
    const onChange = (event: MediaQueryListEvent) => setSystemDark(event.matches);
    media.addEventListener('change', onChange);
    return () => media.removeEventListener('change', onChange);
  }, []);
  const resolved = theme === 'auto' ? (systemDark ? 'dark' : 'light') : theme;
  useEffect(() => {
    document.documentElement.dataset.theme = resolved;
  }, [resolved]);
  const cycleTheme = () => {
    const next = ORDER[(ORDER.indexOf(theme) + 1) % ORDER.length]!;
    try {
      localStorage.setItem(KEY, next);
    } catch {
      // storage disabled: the choice lasts until reload
    }
    setTheme(next);
  };
  return { theme, resolved, cycleTheme };
}
