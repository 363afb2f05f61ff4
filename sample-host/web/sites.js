// The list of websites on a host that serves no default site: a link to
// each site's website, /s/<site>/ (site IDs need no escaping in a path).
'use strict';
const list = document.getElementById('sites');
for (const site of list.dataset.sites.split(' ').filter(Boolean)) {
  const item = el('li', {'data-testid': 'site-row'});
  item.append(el('a', {href: '/s/' + site + '/'}, site));
  list.append(item);
}
