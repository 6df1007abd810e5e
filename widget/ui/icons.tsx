/** @jsxImportSource preact */
/** Stroke icons drawn with SVG paths, so no font or image has to load. All are decorative. */
function Icon({ d, className }: { d: string; className?: string }) {
  return (
    <svg class={className ? `icon ${className}` : 'icon'} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d={d} />
    </svg>
  );
}

export const ChatIcon = () => <Icon d="M21 12a8 8 0 0 1-11.6 7.1L4 20.5l1.4-4.9A8 8 0 1 1 21 12Z" />;
export const CloseIcon = () => <Icon d="M6 6l12 12M18 6 6 18" />;
export const RestartIcon = () => <Icon d="M3.5 12a8.5 8.5 0 1 0 2.5-6M3.5 4v4.5H8" className="flip" />;
export const SendIcon = () => <Icon d="M4 12h14M13 6l6 6-6 6" />;
