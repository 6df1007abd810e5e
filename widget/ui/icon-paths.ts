/** SVG path data shared by the Preact icons and the plain-DOM launcher of the script tag. */
export const CHAT_ICON_PATH = 'M21 12a8 8 0 0 1-11.6 7.1L4 20.5l1.4-4.9A8 8 0 1 1 21 12Z';
export const CLOSE_ICON_PATH = 'M6 6l12 12M18 6 6 18';
export const RESTART_ICON_PATH = 'M3.5 12a8.5 8.5 0 1 0 2.5-6M3.5 4v4.5H8';
export const SEND_ICON_PATH = 'M4 12h14M13 6l6 6-6 6';
