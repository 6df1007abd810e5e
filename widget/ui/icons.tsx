/** @jsxImportSource preact */
import { CHAT_ICON_PATH, CLOSE_ICON_PATH, RESTART_ICON_PATH, SEND_ICON_PATH } from './icon-paths.ts';

/** Stroke icons drawn with SVG paths, so no font or image has to load. All are decorative. */
function Icon({ d, className }: { d: string; className?: string }) {
  return (
    <svg class={className ? `icon ${className}` : 'icon'} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d={d} />
    </svg>
  );
}

export const ChatIcon = () => <Icon d={CHAT_ICON_PATH} />;
export const CloseIcon = () => <Icon d={CLOSE_ICON_PATH} />;
export const RestartIcon = () => <Icon d={RESTART_ICON_PATH} className="flip" />;
export const SendIcon = () => <Icon d={SEND_ICON_PATH} />;
