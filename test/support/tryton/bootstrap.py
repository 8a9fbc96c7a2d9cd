#!/usr/bin/python3
"""Master data for Outpost's Tryton test target (Tryton 6.0 from Debian's packages).

Runs in-process through proteus (config.set_trytond) while trytond is NOT serving, so the server starts
afterwards with fresh caches. Usage: /usr/bin/python3 bootstrap.py <trytond.conf> <db> <spec.json>
The spec names the stores (warehouse codes), products and the integration user; the last stdout line is a
JSON summary of the ids made.
"""
import datetime
import json
import sys
from decimal import Decimal

from proteus import Model, Wizard, config as pconfig

conf_file, dbname, spec_file = sys.argv[1], sys.argv[2], sys.argv[3]
with open(spec_file) as f:
    spec = json.load(f)
cfg = pconfig.set_trytond(database=dbname, user='admin', config_file=conf_file)


def log(*a):
    print('[bootstrap]', *a, file=sys.stderr)


Currency = Model.get('currency.currency')
Rate = Model.get('currency.currency.rate')
Party = Model.get('party.party')
Company = Model.get('company.company')
User = Model.get('res.user')

# Currency + company: the walk-in sales are booked in the company's currency.
code = spec.get('currency', 'USD')
found = Currency.find([('code', '=', code)])
if found:
    currency, = found
else:
    currency = Currency(name=code, symbol=code, code=code, rounding=Decimal('0.01'), digits=2)
    currency.save()
    Rate(date=datetime.date.min, rate=Decimal('1.0'), currency=currency).save()

party = Party(name=spec.get('company', 'Outpost Test Retail'))
party.save()
wiz = Wizard('company.company.config')
wiz.execute('company')
wiz.form.party = party
wiz.form.currency = currency
wiz.execute('add')
company, = Company.find([('party.id', '=', party.id)])
admin = User(cfg.user)
admin.companies.append(Company(company.id))
admin.company = Company(company.id)
admin.save()
cfg._context = User.get_preferences(True, {})

# Stores: a warehouse per store whose one storage location is input, output and storage, so an outgoing
# shipment needs only pack -> done and a return only receive. A count needs a lost-and-found location.
Location = Model.get('stock.location')
lost_found, = Location.find([('type', '=', 'lost_found')], limit=1)
stores = {}
for s in spec['stores']:
    floor = Location(name='%s sales floor' % s['name'], code=s['location'], type='storage')
    floor.save()
    wh = Location(name=s['name'], code=s['warehouse'], type='warehouse', input_location=floor,
        output_location=floor, storage_location=floor, lost_found_location=lost_found)
    wh.save()
    stores[s['warehouse']] = {'warehouse': wh.id, 'location': floor.id}
    log('store', s['warehouse'], wh.id, 'location', s['location'], floor.id)

# Products (goods, sold by the unit).
Uom = Model.get('product.uom')
unit, = Uom.find([('name', '=', 'Unit')])
Template = Model.get('product.template')
products = {}
for p in spec['products']:
    tpl = Template(name=p['name'], code=p['code'], type='goods', salable=p.get('salable', True), default_uom=unit,
        sale_uom=unit, list_price=Decimal(p['price']))
    tpl.save()
    product, = tpl.products
    products[p['code']] = product.id

# The walk-in customer every POS document is sold to, with its (empty) address.
customer = Party(name=spec.get('customer', 'Walk-in customer'))
customer.save()
address = customer.addresses[0]

# The integration user: not admin, only the groups its documents need.
Group = Model.get('res.group')
u = User(name='Outpost integration', login=spec['user'])
u.companies.append(Company(company.id))
u.company = Company(company.id)
groups = ['Sales', 'Sales Administrator', 'Stock', 'Stock Administration', 'Stock Force Assignment',
    'Product Administration', 'Party Administration']
if spec.get('stockQuantityChecks'):
    groups.append('Sale Stock Quantity')  # warned (UserWarning) instead of refused (UserError) on short stock
for g in Group.find([('name', 'in', groups)]):
    u.groups.append(g)
u.password = spec['password']
u.save()

print(json.dumps({'company': company.id, 'currency': currency.id, 'stores': stores, 'products': products,
    'customer': customer.id, 'address': address.id, 'unit': unit.id, 'user': u.id}))
