/** Payloads that would run if any text reached an HTML parser or an unchecked href. */
export const XSS_PAYLOADS = [
  '<img src=x onerror="window.__xss = 1">',
  '<script>window.__xss = 1</script>',
  '<svg onload="window.__xss = 1"></svg>',
  '"><iframe src="javascript:window.__xss = 1"></iframe>',
  '[click me](javascript:window.__xss=1)',
  '[click me](data:text/html,<script>window.__xss=1</script>)',
  '**<img src=x onerror=window.__xss=1>**',
];
