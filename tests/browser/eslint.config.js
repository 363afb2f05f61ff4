// ESLint (flat config) for the JavaScript of sample-host serve's pages,
// sample-host/web/*.js. Run from the repository root, as ctest lint.web
// and `npm run lint` here do:
//   node tests/browser/node_modules/eslint/bin/eslint.js \
//     --config tests/browser/eslint.config.js sample-host/web
// The pages are classic scripts (no modules, no build step) in a browser;
// common.js defines the helpers the others share.
'use strict';
const js = require('@eslint/js');

const browser = Object.fromEntries(
    ['window', 'document', 'location', 'fetch', 'sessionStorage', 'URL', 'URLSearchParams',
     'AbortController', 'CSS', 'setTimeout', 'setInterval', 'clearTimeout', 'console']
        .map(name => [name, 'readonly']));
const shared = {api: 'readonly', el: 'readonly', sleep: 'readonly', fillFields: 'readonly',
                siteSelect: 'readonly'};

module.exports = [
  js.configs.recommended,
  {
    files: ['**/*.js'],
    languageOptions: {ecmaVersion: 2022, sourceType: 'script', globals: browser},
    linterOptions: {reportUnusedDisableDirectives: 'error'},
    rules: {
      'eqeqeq': 'error',
      'strict': ['error', 'global'],
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
      'no-var': 'error',
      'prefer-const': 'error',
      // Every value from the server goes into the page as text, never markup.
      'no-restricted-properties': ['error',
        {property: 'innerHTML', message: 'build nodes with el() and textContent'},
        {property: 'outerHTML', message: 'build nodes with el() and textContent'},
        {property: 'insertAdjacentHTML', message: 'build nodes with el() and textContent'},
        {object: 'document', property: 'write', message: 'build nodes with el()'}],
    },
  },
  {
    files: ['**/*.js'],
    ignores: ['**/common.js'],
    languageOptions: {globals: shared},
  },
];
