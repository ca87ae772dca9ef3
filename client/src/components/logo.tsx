/** Paddock's mark: the header's brand link and the sign-in card both draw it. */
export function PaddockLogo({ size }: { size: number }) {
  return (
    <svg viewBox="0 0 32 32" width={size} height={size} aria-hidden>
      <rect width="32" height="32" rx="8" fill="var(--surface-3)" />
      <path
        d="M8 23V9h8a5 5 0 0 1 0 10h-4"
        fill="none"
        stroke="var(--accent)"
        strokeWidth="3"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
      <circle cx="23" cy="23" r="2.5" fill="var(--gold)" />
    </svg>
  );
}
