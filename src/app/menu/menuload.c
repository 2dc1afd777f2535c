/* Loading a menu file (data/menu/): see catalog.h. */
#include "app/menu/catalog.h"
#include "app/menu/catalog_int.h"
